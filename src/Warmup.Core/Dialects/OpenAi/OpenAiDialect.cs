using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Warmup.Core.Dialects.Metrics;
using Warmup.Core.Probing;
using Warmup.Core.Targets;

namespace Warmup.Core.Dialects.OpenAi;

/// <summary>
/// OpenAI-compatible <c>/v1/completions</c> and <c>/v1/chat/completions</c>, as served by vLLM, SGLang, llama.cpp,
/// TGI's Messages API and Ollama's <c>/v1</c>. Server differences (role chunks, usage placement, <c>data:</c> spacing,
/// error shapes) are absorbed in parsing, never configured.
/// </summary>
public sealed class OpenAiDialect : IDialect
{
    private static readonly MediaTypeWithQualityHeaderValue EventStream = new("text/event-stream");

    public string Name => DialectNames.OpenAi;

    public bool ForcesOutputLength => true;

    public HttpRequestMessage CreateGenerationRequest(WarmupTarget target, GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.MaxOutputTokens, 1, nameof(request));

        var chat = IsChat(target);
        var message = new HttpRequestMessage(HttpMethod.Post, EndpointUri.Combine(target.BaseUrl, chat ? "v1/chat/completions" : "v1/completions"))
        {
            Content = OpenAiRequestBody.Create(target, request, chat),
        };
        message.Headers.Accept.Add(EventStream);
        return message;
    }

    public IAsyncEnumerable<StreamEvent> ReadEventsAsync(Stream body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        return ReadCoreAsync(body, cancellationToken);
    }

    public HttpRequestMessage CreateReadinessRequest(WarmupTarget target) =>
        new(HttpMethod.Get, EndpointUri.Combine(target.BaseUrl, "health"));

    /// <summary>200 only: llama.cpp answers 503 "Loading model" and SGLang 503 until its own warm-up is done.</summary>
    public bool IsReady(HttpResponseMessage response) => (int)response.StatusCode == 200;

    public Task<int?> CountTokensAsync(HttpClient http, WarmupTarget target, string text, CancellationToken cancellationToken) =>
        OpenAiServerInfo.CountTokensAsync(http, target, text, cancellationToken);

    public Task<int?> GetMaxContextAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken) =>
        OpenAiServerInfo.GetMaxContextAsync(http, target, cancellationToken);

    public Task<IReadOnlyList<string>?> ListServedModelsAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken) =>
        OpenAiServerInfo.ListServedModelsAsync(http, target, cancellationToken);

    public async Task<ServerLoad?> GetLoadAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken)
    {
        var response = await OperationalHttp.TryGetAsync(http, EndpointUri.Combine(target.BaseUrl, "metrics"), cancellationToken).ConfigureAwait(false);
        if (response is not { Status: 200 } ok)
        {
            return null;
        }

        return ServerLoadReader.Read(PrometheusText.Parse(System.Text.Encoding.UTF8.GetString(ok.Body)));
    }

    private static bool IsChat(WarmupTarget target) => target.Api switch
    {
        OpenAiApis.Chat => true,
        OpenAiApis.Completions => false,
        _ => throw new ArgumentException(
            $"Target '{target.Name}' has api '{target.Api}'; the openai dialect knows '{OpenAiApis.Completions}' and '{OpenAiApis.Chat}'.",
            nameof(target)),
    };

    private static async IAsyncEnumerable<StreamEvent> ReadCoreAsync(Stream body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // SseParser handles framing (data: with or without a space, CRLF/LF/CR, events split across reads) and drops
        // comments, so a keep-alive ":" can never reach the TTFT clock.
        using var source = new ErrorFieldRewritingStream(body);
        var parser = SseParser.Create(source, ParseEvent);
        await foreach (var item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return item.Data;
        }
    }

    private static StreamEvent ParseEvent(string eventType, ReadOnlySpan<byte> data)
    {
        // Older llama.cpp writes stream errors as an "error:" field, which the SSE spec treats as an event type.
        if (eventType == "error")
        {
            return new StreamEvent(StreamEventKind.Error, Detail: OpenAiChunk.ErrorEventDetail(data));
        }

        var trimmed = data.Trim(" \t\r\n"u8);
        return trimmed.SequenceEqual("[DONE]"u8) ? new StreamEvent(StreamEventKind.Done) : OpenAiChunk.Parse(trimmed);
    }
}
