using System.Text.Json;
using Warmup.Core.Dialects.Wire;
using Warmup.Core.Probing;
using Warmup.Core.Targets;

namespace Warmup.Core.Dialects.Ollama;

/// <summary>
/// Ollama's own API: <c>POST /api/generate</c> (api "completions") or <c>/api/chat</c> (api "chat"), NDJSON, the last
/// object <c>done:true</c> with <c>eval_count</c>/<c>prompt_eval_count</c>. Ollama loads a model lazily on its first
/// request, so readiness is "the model is listed by /api/tags" and then a preload (a request with no prompt). The
/// request never carries <c>keep_alive</c>: the operator's own unload policy stays as it is. <c>num_predict</c> only caps
/// the length (there is no ignore_eos), and Ollama has no tokenizer route and no metrics.
/// </summary>
public sealed class OllamaDialect : IDialect, IPreloadingDialect
{
    private static readonly HttpRequestOptionsKey<string> ModelKey = new("warmup.ollama.model");

    public string Name => DialectNames.Ollama;

    public bool ForcesOutputLength => false;

    public HttpRequestMessage CreateGenerationRequest(WarmupTarget target, GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.MaxOutputTokens, 1, nameof(request));
        var chat = IsChat(target);
        return new HttpRequestMessage(HttpMethod.Post, EndpointUri.Combine(target.BaseUrl, chat ? "api/chat" : "api/generate"))
        {
            Content = JsonBody.Create(json =>
            {
                json.WriteStartObject();
                // An Ollama "adapter" is a model of its own (FROM base + ADAPTER in a Modelfile): address it by name.
                json.WriteString("model", request.Adapter ?? target.Model);
                if (chat)
                {
                    json.WriteStartArray("messages");
                    json.WriteStartObject();
                    json.WriteString("role", "user");
                    json.WriteString("content", request.Prompt);
                    json.WriteEndObject();
                    json.WriteEndArray();
                }
                else
                {
                    json.WriteString("prompt", request.Prompt);
                }

                json.WriteBoolean("stream", true);
                json.WriteStartObject("options");
                json.WriteNumber("num_predict", request.MaxOutputTokens);
                json.WriteNumber("temperature", 0);
                json.WriteEndObject();
                json.WriteEndObject();
            }, request.Prompt.Length + 160),
        };
    }

    public IAsyncEnumerable<StreamEvent> ReadEventsAsync(Stream body, CancellationToken cancellationToken) =>
        NdjsonEvents.ReadAsync(body, ParseLine, cancellationToken);

    /// <summary>GET /api/tags: Ollama answers "running" long before it has the model; ready means the model is installed.</summary>
    public HttpRequestMessage CreateReadinessRequest(WarmupTarget target)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, EndpointUri.Combine(target.BaseUrl, "api/tags"));
        request.Options.Set(ModelKey, target.Model);
        return request;
    }

    public bool IsReady(HttpResponseMessage response)
    {
        if ((int)response.StatusCode != 200 || response.RequestMessage?.Options.TryGetValue(ModelKey, out var model) != true)
        {
            return false;
        }

        // The gate buffers readiness bodies, so this read does not block on the network.
        using var stream = response.Content.ReadAsStream();
        try
        {
            using var json = JsonDocument.Parse(stream);
            return Lists(json.RootElement, model!);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>POST /api/generate with only the model loads it (done_reason "load") and returns once it is in memory.</summary>
    public async Task<string?> PreloadAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, EndpointUri.Combine(target.BaseUrl, "api/generate"))
        {
            Content = JsonBody.Create(json =>
            {
                json.WriteStartObject();
                json.WriteString("model", target.Model);
                json.WriteEndObject();
            }),
        };
        using (request)
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return null;
            }

            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return ErrorText.Shorten($"preloading '{target.Model}' answered HTTP {(int)response.StatusCode}: {body}");
        }
    }

    public Task<int?> CountTokensAsync(HttpClient http, WarmupTarget target, string text, CancellationToken cancellationToken) =>
        Task.FromResult<int?>(null);

    /// <summary>POST /api/show: <c>model_info["{arch}.context_length"]</c>.</summary>
    public async Task<int?> GetMaxContextAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, EndpointUri.Combine(target.BaseUrl, "api/show"))
        {
            Content = JsonBody.Create(json =>
            {
                json.WriteStartObject();
                json.WriteString("model", target.Model);
                json.WriteEndObject();
            }),
        };
        var response = await OperationalHttp.TrySendAndDisposeAsync(http, request, cancellationToken).ConfigureAwait(false);
        if (response is not { Status: 200 } ok)
        {
            return null;
        }

        using var json = JsonBody.TryParse(ok.Body);
        if (json is null || !json.RootElement.TryGetProperty("model_info", out var info) || info.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return info.EnumerateObject()
            .Where(p => p.Name.EndsWith(".context_length", StringComparison.Ordinal) && p.Value.ValueKind == JsonValueKind.Number)
            .Select(p => p.Value.TryGetInt32(out var n) ? n : (int?)null)
            .FirstOrDefault(n => n is not null);
    }

    /// <summary>Ollama has no metrics endpoint.</summary>
    public Task<ServerLoad?> GetLoadAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken) =>
        Task.FromResult<ServerLoad?>(null);

    /// <summary>"llama3.2" names "llama3.2:latest"; a tagged name must match exactly.</summary>
    internal static bool Lists(JsonElement tags, string model)
    {
        if (!tags.TryGetProperty("models", out var models) || models.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        var wanted = model.Contains(':', StringComparison.Ordinal) ? model : model + ":latest";
        return models.EnumerateArray().Any(m =>
            JsonBody.String(m, "name") is { } name && (name == model || name == wanted)
            || JsonBody.String(m, "model") is { } id && (id == model || id == wanted));
    }

    internal static ParsedEvent ParseLine(ReadOnlySpan<byte> line)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            using var json = JsonDocument.ParseValue(ref reader);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return ParsedEvent.Malformed("line is not a JSON object");
            }

            if (JsonBody.String(root, "error") is { } error)
            {
                return ParsedEvent.Error(error);
            }

            var done = root.TryGetProperty("done", out var d) && d.ValueKind == JsonValueKind.True;
            var message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
            var text = JsonBody.String(root, "response") ?? JsonBody.String(message, "content");
            var thinking = JsonBody.String(message, "thinking") ?? JsonBody.String(root, "thinking");
            // Metric fields are omitempty: absent means unknown, never zero.
            var promptTokens = done ? JsonBody.Int(root, "prompt_eval_count") : null;
            var completionTokens = done ? JsonBody.Int(root, "eval_count") : null;
            if (!string.IsNullOrEmpty(text) || !string.IsNullOrEmpty(thinking))
            {
                return new ParsedEvent(new StreamEvent(StreamEventKind.Token, 1, promptTokens, completionTokens), done);
            }

            return new ParsedEvent(new StreamEvent(done ? StreamEventKind.Usage : StreamEventKind.NoContent, 0, promptTokens, completionTokens), done);
        }
        catch (JsonException)
        {
            return ParsedEvent.Malformed("line is not valid JSON");
        }
    }

    private static bool IsChat(WarmupTarget target) => target.Api switch
    {
        OpenAiApis.Chat => true,
        OpenAiApis.Completions => false,
        _ => throw new ArgumentException(
            $"Target '{target.Name}' has api '{target.Api}'; the ollama dialect knows '{OpenAiApis.Completions}' (/api/generate) and '{OpenAiApis.Chat}' (/api/chat).",
            nameof(target)),
    };
}
