using System.Net.Http.Headers;
using System.Text.Json;
using Warmup.Core.Dialects.Wire;
using Warmup.Core.Probing;
using Warmup.Core.Targets;

namespace Warmup.Core.Dialects.LlamaCpp;

/// <summary>
/// llama.cpp <c>llama-server</c>, native <c>POST /completion</c>: <c>n_predict</c> + <c>ignore_eos</c> give the exact
/// length, <c>cache_prompt:false</c> keeps the prompt cache from hiding prefill. Events carry <c>content</c>; the last
/// has <c>stop:true</c>, the authoritative <c>tokens_predicted</c>/<c>tokens_evaluated</c> and <c>timings</c>. While
/// the model loads every route answers 503 "Loading model". <c>/props</c> gives the slot count: requests beyond it wait
/// in the server's queue, so the plan's concurrency is capped to the slots (see <see cref="GetCapacityAsync"/>).
/// </summary>
public sealed class LlamaCppDialect : IDialect, IServerCapacity
{
    private static readonly MediaTypeWithQualityHeaderValue EventStream = new("text/event-stream");

    public string Name => DialectNames.LlamaCpp;

    public bool ForcesOutputLength => true;

    public HttpRequestMessage CreateGenerationRequest(WarmupTarget target, GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.MaxOutputTokens, 1, nameof(request));
        var message = new HttpRequestMessage(HttpMethod.Post, EndpointUri.Combine(target.BaseUrl, "completion"))
        {
            Content = JsonBody.Create(json =>
            {
                json.WriteStartObject();
                json.WriteString("prompt", request.Prompt);
                json.WriteNumber("n_predict", request.MaxOutputTokens);
                json.WriteBoolean("ignore_eos", true);
                json.WriteNumber("temperature", 0);
                json.WriteBoolean("cache_prompt", false);
                json.WriteBoolean("stream", true);
                json.WriteEndObject();
            }, request.Prompt.Length + 128),
        };
        message.Headers.Accept.Add(EventStream);
        return message;
    }

    public IAsyncEnumerable<StreamEvent> ReadEventsAsync(Stream body, CancellationToken cancellationToken) =>
        SseEvents.ReadAsync(body, ParseEvent, StreamEnd.Marker, cancellationToken);

    public HttpRequestMessage CreateReadinessRequest(WarmupTarget target) =>
        new(HttpMethod.Get, EndpointUri.Combine(target.BaseUrl, "health"));

    /// <summary>200 only: 503 {"error":{"message":"Loading model"}} while the model loads.</summary>
    public bool IsReady(HttpResponseMessage response) => (int)response.StatusCode == 200;

    public Task<int?> CountTokensAsync(HttpClient http, WarmupTarget target, string text, CancellationToken cancellationToken) =>
        MetricsScrape.CountTokensAsync(http, target, JsonBody.Create(json =>
        {
            json.WriteStartObject();
            json.WriteString("content", text);
            json.WriteEndObject();
        }, text.Length + 32), cancellationToken);

    /// <summary>The per-slot context from /props is the real limit (it can be far below the model's training context).</summary>
    public async Task<int?> GetMaxContextAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken)
    {
        using var props = await GetPropsAsync(http, target, cancellationToken).ConfigureAwait(false);
        if (props is null)
        {
            return null;
        }

        var settings = props.RootElement.TryGetProperty("default_generation_settings", out var s) ? s : default;
        return JsonBody.Int(settings, "n_ctx") ?? JsonBody.Int(props.RootElement, "n_ctx");
    }

    /// <summary>/props <c>total_slots</c> (= --parallel): more concurrent requests than slots queue (requests_deferred).</summary>
    public async Task<ServerCapacity?> GetCapacityAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken)
    {
        using var props = await GetPropsAsync(http, target, cancellationToken).ConfigureAwait(false);
        if (props is null || JsonBody.Int(props.RootElement, "total_slots") is not { } slots || slots < 1)
        {
            return null;
        }

        return new ServerCapacity(slots,
            $"llama.cpp serves {slots} slot(s) (/props total_slots); more concurrent requests would wait in its queue and read as cold, " +
            $"so concurrency is capped at {slots}");
    }

    public Task<ServerLoad?> GetLoadAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken) =>
        MetricsScrape.GetLoadAsync(http, target, cancellationToken);

    private static async Task<JsonDocument?> GetPropsAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken)
    {
        var props = await OperationalHttp.TryGetAsync(http, EndpointUri.Combine(target.BaseUrl, "props"), cancellationToken).ConfigureAwait(false);
        return props is { Status: 200 } ok ? JsonBody.TryParse(ok.Body) : null;
    }

    internal static ParsedEvent ParseEvent(ReadOnlySpan<byte> data) => JsonObjectEvent.Parse(data, ReadContent);

    private static ParsedEvent ReadContent(JsonElement root)
    {
        var stop = root.TryGetProperty("stop", out var s) && s.ValueKind == JsonValueKind.True;
        var content = JsonBody.String(root, "content");
        var predicted = JsonBody.Int(root, "tokens_predicted");
        var evaluated = JsonBody.Int(root, "tokens_evaluated");
        if (!string.IsNullOrEmpty(content))
        {
            return new ParsedEvent(new StreamEvent(StreamEventKind.Token, 1, evaluated, predicted), stop);
        }

        if (!stop && content is null)
        {
            return ParsedEvent.Malformed("event has neither content nor stop");
        }

        return new ParsedEvent(new StreamEvent(stop ? StreamEventKind.Usage : StreamEventKind.NoContent, 0, evaluated, predicted), stop);
    }
}
