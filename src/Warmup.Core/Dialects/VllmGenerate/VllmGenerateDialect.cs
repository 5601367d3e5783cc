using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Warmup.Core.Probing;
using Warmup.Core.Targets;

namespace Warmup.Core.Dialects.VllmGenerate;

/// <summary>
/// vLLM's legacy demo server (<c>python -m vllm.entrypoints.api_server</c>), <c>POST /generate</c>. The stream is one
/// JSON object per line (NUL-delimited before Nov 2024) holding the prompt plus all text so far; there is no usage,
/// no end marker, no tokenizer, no model list and no metrics. Token counts are therefore client-side.
/// </summary>
public sealed class VllmGenerateDialect : IDialect
{
    public string Name => DialectNames.VllmGenerate;

    public bool ForcesOutputLength => true;

    public HttpRequestMessage CreateGenerationRequest(WarmupTarget target, GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.MaxOutputTokens, 1, nameof(request));
        if (request.Adapter is not null)
        {
            throw new ArgumentException(
                $"Target '{target.Name}': the {Name} dialect cannot address LoRA adapters (the legacy server serves one model); remove its adapters.",
                nameof(request));
        }

        return new HttpRequestMessage(HttpMethod.Post, EndpointUri.Combine(target.BaseUrl, "generate"))
        {
            Content = GenerateRequestBody.Create(request),
        };
    }

    public IAsyncEnumerable<StreamEvent> ReadEventsAsync(Stream body, CancellationToken cancellationToken) =>
        ReadCoreAsync(body, new CumulativeText(0), cancellationToken);

    /// <summary>Knowing the prompt lets the first object count as a token only if it holds more than the echoed prompt.</summary>
    public IAsyncEnumerable<StreamEvent> ReadEventsAsync(Stream body, GenerationRequest request, CancellationToken cancellationToken) =>
        ReadCoreAsync(body, new CumulativeText(Encoding.UTF8.GetByteCount(request.Prompt)), cancellationToken);

    public HttpRequestMessage CreateReadinessRequest(WarmupTarget target) =>
        new(HttpMethod.Get, EndpointUri.Combine(target.BaseUrl, "health"));

    public bool IsReady(HttpResponseMessage response) => (int)response.StatusCode == 200;

    public Task<int?> CountTokensAsync(HttpClient http, WarmupTarget target, string text, CancellationToken cancellationToken) =>
        Task.FromResult<int?>(null);

    public Task<int?> GetMaxContextAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken) =>
        Task.FromResult<int?>(null);

    public Task<ServerLoad?> GetLoadAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken) =>
        Task.FromResult<ServerLoad?>(null);

    private static async IAsyncEnumerable<StreamEvent> ReadCoreAsync(
        Stream body, CumulativeText text, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var reader = PipeReader.Create(body, new StreamPipeReaderOptions(leaveOpen: true));
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (TryReadRecord(ref buffer, out var record))
                {
                    if (!IsBlank(record))
                    {
                        yield return text.Classify(record);
                    }
                }

                if (result.IsCompleted)
                {
                    // The last object may lack its delimiter; it is fine as long as it is whole.
                    if (!IsBlank(buffer))
                    {
                        var last = text.Classify(buffer);
                        yield return last;
                        if (last.Kind == StreamEventKind.Malformed)
                        {
                            yield break;
                        }
                    }

                    yield return new StreamEvent(StreamEventKind.Done);
                    yield break;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static bool TryReadRecord(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> record)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (reader.TryReadToAny(out record, "\n\0"u8, advancePastDelimiter: true))
        {
            buffer = buffer.Slice(reader.Position);
            return true;
        }

        return false;
    }

    private static bool IsBlank(ReadOnlySequence<byte> bytes)
    {
        foreach (var segment in bytes)
        {
            if (segment.Span.IndexOfAnyExcept(" \t\r\n\0"u8) >= 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Tracks how much text the stream has shown; an object whose text grew carries new tokens.</summary>
    private sealed class CumulativeText(long knownBytes)
    {
        private long _knownBytes = knownBytes;

        public StreamEvent Classify(ReadOnlySequence<byte> record)
        {
            var reader = new Utf8JsonReader(record);
            try
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    return Malformed("line is not a JSON object");
                }

                long? textBytes = null;
                string? error = null;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("text"u8))
                    {
                        reader.Read();
                        textBytes = ReadFirstTextLength(ref reader);
                    }
                    else if (reader.ValueTextEquals("error"u8) || reader.ValueTextEquals("detail"u8))
                    {
                        reader.Read();
                        error = reader.TokenType == JsonTokenType.String ? reader.GetString() : "error object in stream";
                        reader.Skip();
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }

                if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
                {
                    return Malformed("line has trailing content");
                }

                if (error is not null)
                {
                    return new StreamEvent(StreamEventKind.Error, Detail: ErrorText.Shorten(error));
                }

                if (textBytes is not { } length)
                {
                    return Malformed("object has no \"text\" array");
                }

                if (length <= _knownBytes)
                {
                    return new StreamEvent(StreamEventKind.NoContent);
                }

                _knownBytes = length;
                return new StreamEvent(StreamEventKind.Token, 1);
            }
            catch (JsonException)
            {
                return Malformed("line is not valid JSON");
            }
        }

        private static StreamEvent Malformed(string why) => new(StreamEventKind.Malformed, Detail: why);

        /// <summary>UTF-8 length of <c>text[0]</c> after unescaping, without materialising a string on the common (unescaped) path.</summary>
        private static long? ReadFirstTextLength(ref Utf8JsonReader reader)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                return null;
            }

            long? length = null;
            if (reader.Read() && reader.TokenType == JsonTokenType.String)
            {
                length = reader.ValueIsEscaped ? UnescapedLength(ref reader) : RawLength(ref reader);
            }
            else
            {
                reader.Skip();
            }

            while (reader.TokenType != JsonTokenType.EndArray && reader.Read())
            {
                reader.Skip();
            }

            return length;
        }

        private static long RawLength(ref Utf8JsonReader reader) =>
            reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;

        private static long UnescapedLength(ref Utf8JsonReader reader)
        {
            var rented = ArrayPool<byte>.Shared.Rent(checked((int)RawLength(ref reader)));
            try
            {
                return reader.CopyString(rented);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
