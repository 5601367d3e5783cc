using System.Net.Http.Headers;
using System.Text.Json;
using Warmup.Core.Dialects.Wire;
using Warmup.Core.Probing;
using Warmup.Core.Targets;

namespace Warmup.Core.Dialects.Tgi;

/// <summary>
/// Hugging Face text-generation-inference, native <c>POST /generate_stream</c>. TGI has no ignore_eos/min_new_tokens,
/// so the output length is only capped (<c>max_new_tokens</c>) and the real count comes from the final event's
/// <c>details.generated_tokens</c> (asked for with <c>details:true</c>). The stream is <c>data:{json}</c> with no space
/// and no [DONE]: the event carrying <c>details</c> (or <c>generated_text</c>) is the last one.
/// </summary>
public sealed class TgiDialect : IDialect
{
    private static readonly MediaTypeWithQualityHeaderValue EventStream = new("text/event-stream");

    public string Name => DialectNames.Tgi;

    public bool ForcesOutputLength => false;

    public HttpRequestMessage CreateGenerationRequest(WarmupTarget target, GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.MaxOutputTokens, 1, nameof(request));
        var message = new HttpRequestMessage(HttpMethod.Post, EndpointUri.Combine(target.BaseUrl, "generate_stream"))
        {
            Content = JsonBody.Create(json =>
            {
                json.WriteStartObject();
                json.WriteString("inputs", request.Prompt);
                json.WriteStartObject("parameters");
                json.WriteNumber("max_new_tokens", request.MaxOutputTokens);
                json.WriteBoolean("details", true);
                // TGI rejects temperature 0; greedy decoding is do_sample:false.
                json.WriteBoolean("do_sample", false);
                json.WriteBoolean("return_full_text", false);
                if (request.Adapter is not null)
                {
                    json.WriteString("adapter_id", request.Adapter);
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }, request.Prompt.Length + 160),
        };
        message.Headers.Accept.Add(EventStream);
        return message;
    }

    public IAsyncEnumerable<StreamEvent> ReadEventsAsync(Stream body, CancellationToken cancellationToken) =>
        SseEvents.ReadAsync(body, ParseEvent, StreamEnd.Marker, cancellationToken);

    public HttpRequestMessage CreateReadinessRequest(WarmupTarget target) =>
        new(HttpMethod.Get, EndpointUri.Combine(target.BaseUrl, "health"));

    public bool IsReady(HttpResponseMessage response) => (int)response.StatusCode == 200;

    /// <summary>POST /tokenize answers a JSON array, one object per token.</summary>
    public Task<int?> CountTokensAsync(HttpClient http, WarmupTarget target, string text, CancellationToken cancellationToken) =>
        MetricsScrape.CountTokensAsync(http, target, JsonBody.Create(json =>
        {
            json.WriteStartObject();
            json.WriteString("inputs", text);
            json.WriteEndObject();
        }, text.Length + 32), cancellationToken);

    /// <summary>GET /info: max_input_tokens (older: max_input_length) bounds the prompt; max_total_tokens the whole sequence.</summary>
    public async Task<int?> GetMaxContextAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken)
    {
        var info = await OperationalHttp.TryGetAsync(http, EndpointUri.Combine(target.BaseUrl, "info"), cancellationToken).ConfigureAwait(false);
        if (info is not { Status: 200 } ok)
        {
            return null;
        }

        using var json = JsonBody.TryParse(ok.Body);
        return json is null ? null : JsonBody.Int(json.RootElement, "max_total_tokens") ?? JsonBody.Int(json.RootElement, "max_input_tokens")
            ?? JsonBody.Int(json.RootElement, "max_input_length");
    }

    public Task<ServerLoad?> GetLoadAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken) =>
        MetricsScrape.GetLoadAsync(http, target, cancellationToken);

    internal static ParsedEvent ParseEvent(ReadOnlySpan<byte> data) => JsonObjectEvent.Parse(data, ReadToken);

    private static ParsedEvent ReadToken(JsonElement root)
    {
        var details = root.TryGetProperty("details", out var d) && d.ValueKind == JsonValueKind.Object ? d : default;
        var isLast = details.ValueKind == JsonValueKind.Object
            || (root.TryGetProperty("generated_text", out var text) && text.ValueKind == JsonValueKind.String);
        if (!root.TryGetProperty("token", out var token) || token.ValueKind != JsonValueKind.Object)
        {
            return isLast ? new StreamEvent(StreamEventKind.Done) : ParsedEvent.Malformed("event has no token");
        }

        // The last event is itself a token. A special token (EOS) is still generated: TGI counts it in generated_tokens.
        return new ParsedEvent(
            new StreamEvent(
                StreamEventKind.Token,
                1,
                PromptTokens: JsonBody.Int(details, "input_length"),
                CompletionTokens: JsonBody.Int(details, "generated_tokens")),
            isLast);
    }
}
