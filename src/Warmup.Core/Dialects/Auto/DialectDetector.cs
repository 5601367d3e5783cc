using System.Text;
using System.Text.Json;
using Warmup.Core.Dialects.Wire;
using Warmup.Core.Targets;

namespace Warmup.Core.Dialects.Auto;

/// <summary>
/// Names the server family from its own routes (protocols.md §0.1): Triton's <c>GET /v2</c>, Ollama's <c>GET /</c>, TGI's
/// <c>GET /info</c> router, llama.cpp's <c>/props</c> (or its 503 "Loading model" on every route), SGLang's
/// <c>/get_model_info</c>, then <c>/v1/models</c> <c>owned_by</c> and vLLM's <c>/version</c>. Native routes are asked
/// first, so a server that speaks both its own API and the OpenAI one gets its own. Only GETs: detection never generates.
/// </summary>
public static class DialectDetector
{
    /// <summary>The outcome of one pass: a server, "nothing answers yet", or what answered without telling.</summary>
    public sealed record Result(DetectedServer? Server, bool Answered, string Seen);

    public static async Task<Result> DetectOnceAsync(HttpClient http, Uri baseUrl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(baseUrl);
        var seen = new List<string>();
        var answered = false;

        async Task<(int Status, byte[] Body)?> Get(string path)
        {
            var response = await OperationalHttp.TryGetAsync(http, EndpointUri.Combine(baseUrl, path), cancellationToken).ConfigureAwait(false);
            if (response is { } r)
            {
                answered = true;
                seen.Add($"GET /{path} {r.Status}");
            }

            return response;
        }

        foreach (var (path, recognise) in Probes)
        {
            if (await Get(path).ConfigureAwait(false) is not { } response)
            {
                continue;
            }

            if (LoadingLlamaCpp(response) is { } loading)
            {
                return new Result(loading, true, string.Join(", ", seen));
            }

            if (response.Status == 200 && recognise(response.Body) is { } server)
            {
                return new Result(server, true, string.Join(", ", seen));
            }
        }

        return new Result(null, answered, answered ? string.Join(", ", seen) : "nothing answered (connection refused or timed out)");
    }

    /// <summary>
    /// Detects, waiting while nothing listens yet (vLLM, TGI and SGLang refuse connections while loading), up to
    /// <paramref name="deadline"/>. Throws <see cref="DialectDetectionException"/> when the server answers but does not say
    /// what it is, or never answers.
    /// </summary>
    public static async Task<DetectedServer> DetectAsync(
        HttpClient http, WarmupTarget target, TimeSpan deadline, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var started = time.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            var result = await DetectOnceAsync(http, target.BaseUrl, cancellationToken).ConfigureAwait(false);
            if (result.Server is { } server)
            {
                return server;
            }

            if (result.Answered)
            {
                throw new DialectDetectionException(
                    $"Target '{target.Name}': dialect auto cannot tell which server {target.BaseUrl} is ({result.Seen}); " +
                    $"set the dialect explicitly ({string.Join(", ", DetectableDialects)}, {DialectNames.OpenAi} or {DialectNames.AzureMl}).");
            }

            if (time.GetElapsedTime(started) + delay > deadline)
            {
                throw new DialectDetectionException(
                    $"Target '{target.Name}': dialect auto found nothing answering at {target.BaseUrl} within {deadline.TotalSeconds:0} s ({result.Seen}).");
            }

            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
        }
    }

    private static readonly string[] DetectableDialects =
        [DialectNames.Tgi, DialectNames.Sglang, DialectNames.LlamaCpp, DialectNames.Ollama, DialectNames.Triton];

    private static readonly (string Path, Func<byte[], DetectedServer?> Recognise)[] Probes =
    [
        ("v2", body => JsonString(body, "name") == "triton"
            ? new DetectedServer("triton", DialectNames.Triton, "GET /v2 names the server triton") : null),
        ("", body => Encoding.UTF8.GetString(body).Contains("Ollama is running", StringComparison.Ordinal)
            ? new DetectedServer("ollama", DialectNames.Ollama, "GET / says Ollama is running") : null),
        ("info", body => JsonString(body, "router") == "text-generation-router"
            ? new DetectedServer("tgi", DialectNames.Tgi, "GET /info says router text-generation-router") : null),
        ("props", body => HasProperty(body, "default_generation_settings") || HasProperty(body, "total_slots")
            ? new DetectedServer("llamacpp", DialectNames.LlamaCpp, "GET /props answers llama.cpp server properties") : null),
        ("get_model_info", body => HasProperty(body, "model_path")
            ? new DetectedServer("sglang", DialectNames.Sglang, "GET /get_model_info answers model_path") : null),
        ("v1/models", body => JsonOwnedBy(body) switch
        {
            "vllm" => new DetectedServer("vllm", DialectNames.OpenAi, "GET /v1/models owned_by vllm"),
            "sglang" => new DetectedServer("sglang", DialectNames.Sglang, "GET /v1/models owned_by sglang"),
            "llamacpp" => new DetectedServer("llamacpp", DialectNames.LlamaCpp, "GET /v1/models owned_by llamacpp"),
            _ => null,
        }),
        ("version", body => JsonString(body, "version") is not null
            ? new DetectedServer("vllm", DialectNames.OpenAi, "GET /version answers a version (vLLM)") : null),
    ];

    /// <summary>llama.cpp answers every route with 503 {"error":{"message":"Loading model"}} until the model is loaded.</summary>
    private static DetectedServer? LoadingLlamaCpp((int Status, byte[] Body) response) =>
        response.Status == 503 && Encoding.UTF8.GetString(response.Body).Contains("Loading model", StringComparison.Ordinal)
            ? new DetectedServer("llamacpp", DialectNames.LlamaCpp, "HTTP 503 \"Loading model\" (llama.cpp while it loads)")
            : null;

    private static string? JsonString(byte[] body, string name)
    {
        using var json = JsonBody.TryParse(body);
        return json is null ? null : JsonBody.String(json.RootElement, name);
    }

    private static bool HasProperty(byte[] body, string name)
    {
        using var json = JsonBody.TryParse(body);
        return json is not null && json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(name, out _);
    }

    private static string? JsonOwnedBy(byte[] body)
    {
        using var json = JsonBody.TryParse(body);
        if (json is null || !json.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array || data.GetArrayLength() == 0)
        {
            return null;
        }

        return JsonBody.String(data[0], "owned_by");
    }
}
