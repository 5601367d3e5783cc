using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Warmup.Core.Dialects.Wire;
using Warmup.Core.Probing;
using Warmup.Core.Targets;

namespace Warmup.Core.Dialects.Sglang;

/// <summary>
/// SGLang native <c>POST /generate</c>: <c>sampling_params</c> force the exact length (max/min_new_tokens + ignore_eos);
/// the stream's <c>text</c> is cumulative (newer servers may send deltas) and <c>meta_info.completion_tokens</c> is the
/// authoritative running count, so a chunk carrying several tokens counts as several. Readiness is <c>/health</c>,
/// which answers 503 while the port is open but SGLang's own warm-up is still running.
/// </summary>
public sealed class SglangDialect : IDialect
{
    private static readonly MediaTypeWithQualityHeaderValue EventStream = new("text/event-stream");

    public string Name => DialectNames.Sglang;

    public bool ForcesOutputLength => true;

    public HttpRequestMessage CreateGenerationRequest(WarmupTarget target, GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.MaxOutputTokens, 1, nameof(request));
        var message = new HttpRequestMessage(HttpMethod.Post, EndpointUri.Combine(target.BaseUrl, "generate"))
        {
            Content = JsonBody.Create(json =>
            {
                json.WriteStartObject();
                json.WriteString("text", request.Prompt);
                json.WriteStartObject("sampling_params");
                json.WriteNumber("max_new_tokens", request.MaxOutputTokens);
                json.WriteNumber("min_new_tokens", request.MaxOutputTokens);
                json.WriteBoolean("ignore_eos", true);
                json.WriteNumber("temperature", 0);
                json.WriteEndObject();
                json.WriteBoolean("stream", true);
                if (request.Adapter is not null)
                {
                    json.WriteString("lora_path", request.Adapter);
                }

                json.WriteEndObject();
            }, request.Prompt.Length + 160),
        };
        message.Headers.Accept.Add(EventStream);
        return message;
    }

    public IAsyncEnumerable<StreamEvent> ReadEventsAsync(Stream body, CancellationToken cancellationToken) =>
        SseEvents.ReadAsync(body, new CompletionCounter().Parse, StreamEnd.Marker, cancellationToken);

    public HttpRequestMessage CreateReadinessRequest(WarmupTarget target) =>
        new(HttpMethod.Get, EndpointUri.Combine(target.BaseUrl, "health"));

    public bool IsReady(HttpResponseMessage response) => (int)response.StatusCode == 200;

    /// <summary>SGLang has no native tokenize route beside its OpenAI one; /v1/tokenize is newer and optional.</summary>
    public Task<int?> CountTokensAsync(HttpClient http, WarmupTarget target, string text, CancellationToken cancellationToken) =>
        Task.FromResult<int?>(null);

    /// <summary>/v1/models carries max_model_len (the context length); /get_model_info only names the model path.</summary>
    public async Task<int?> GetMaxContextAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken)
    {
        var models = await OperationalHttp.TryGetAsync(http, EndpointUri.Combine(target.BaseUrl, "v1/models"), cancellationToken).ConfigureAwait(false);
        if (models is { Status: 200 } ok && OpenAi.OpenAiServerInfo.ReadModelEntry(ok.Body, target.Model) is { MaxModelLen: { } length })
        {
            return length;
        }

        var info = await OperationalHttp.TryGetAsync(http, EndpointUri.Combine(target.BaseUrl, "get_server_info"), cancellationToken).ConfigureAwait(false);
        if (info is not { Status: 200 } infoOk)
        {
            return null;
        }

        using var json = JsonBody.TryParse(infoOk.Body);
        return json is null ? null : JsonBody.Int(json.RootElement, "context_length");
    }

    public Task<ServerLoad?> GetLoadAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken) =>
        MetricsScrape.GetLoadAsync(http, target, cancellationToken);

    /// <summary>Per stream: turns the cumulative completion_tokens into per-event deltas.</summary>
    internal sealed class CompletionCounter
    {
        private int _completionTokens;
        private int _textBytes;

        public ParsedEvent Parse(ReadOnlySpan<byte> data) => JsonObjectEvent.Parse(data, Count);

        private ParsedEvent Count(JsonElement root)
        {
            var meta = root.TryGetProperty("meta_info", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
            var text = JsonBody.String(root, "text") ?? "";
            var completion = JsonBody.Int(meta, "completion_tokens");
            var promptTokens = JsonBody.Int(meta, "prompt_tokens");
            // Cumulative text grows; delta text is just non-empty. Either way: new content means a token arrived.
            var textBytes = Encoding.UTF8.GetByteCount(text);
            var cumulative = textBytes >= _textBytes;
            var grew = cumulative ? textBytes > _textBytes : textBytes > 0;
            _textBytes = cumulative ? textBytes : _textBytes + textBytes;
            var delta = completion is { } total ? total - _completionTokens : (grew ? 1 : 0);
            _completionTokens = completion ?? _completionTokens + delta;
            if (delta <= 0 && !grew)
            {
                return new StreamEvent(StreamEventKind.NoContent, PromptTokens: promptTokens, CompletionTokens: completion);
            }

            return new StreamEvent(StreamEventKind.Token, Math.Max(delta, 1), promptTokens, completion);
        }
    }
}
