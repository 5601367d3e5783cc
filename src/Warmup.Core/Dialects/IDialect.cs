using Warmup.Core.Probing;
using Warmup.Core.Targets;

namespace Warmup.Core.Dialects;

/// <summary>
/// How one server family is spoken to. Adding a server (TGI native, SGLang native, llama.cpp native,
/// Ollama, Triton, Azure ML) means adding one class that implements this.
/// </summary>
public interface IDialect
{
    string Name { get; }

    /// <summary>True when the request can force the exact output length (max_tokens + min_tokens + ignore_eos).</summary>
    bool ForcesOutputLength { get; }

    /// <summary>Builds the streamed generation request. Every request is marked as warm-up traffic.</summary>
    HttpRequestMessage CreateGenerationRequest(WarmupTarget target, GenerationRequest request);

    /// <summary>Parses the response body as it streams. Yields as soon as each event is complete.</summary>
    IAsyncEnumerable<StreamEvent> ReadEventsAsync(Stream body, CancellationToken cancellationToken);

    /// <summary>
    /// Parses the response body of <paramref name="request"/>. Dialects whose stream repeats the prompt (cumulative
    /// text that starts with it) override this to tell the prompt from the first token.
    /// </summary>
    IAsyncEnumerable<StreamEvent> ReadEventsAsync(Stream body, GenerationRequest request, CancellationToken cancellationToken)
        => ReadEventsAsync(body, cancellationToken);

    /// <summary>The readiness request; see <see cref="IsReady"/>.</summary>
    HttpRequestMessage CreateReadinessRequest(WarmupTarget target);

    /// <summary>Whether a readiness response means "serving". A connection refused never reaches here.</summary>
    bool IsReady(HttpResponseMessage response);

    /// <summary>Asks the server how many tokens the text is, or null when the server has no tokenizer endpoint.</summary>
    Task<int?> CountTokensAsync(HttpClient http, WarmupTarget target, string text, CancellationToken cancellationToken);

    /// <summary>The model's context window as the server reports it, or null.</summary>
    Task<int?> GetMaxContextAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken);

    /// <summary>
    /// The model names the server routes requests by (base models and loaded adapters), or null when the server does not
    /// list them or ignores the name (llama.cpp serves its one model under any name). Checked before any warm-up traffic.
    /// </summary>
    Task<IReadOnlyList<string>?> ListServedModelsAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken)
        => Task.FromResult<IReadOnlyList<string>?>(null);

    /// <summary>Reads server load counters (requests done, running, waiting), or null when the server has no metrics.</summary>
    Task<ServerLoad?> GetLoadAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken);
}

/// <summary>Counters scraped from the server's metrics endpoint.</summary>
/// <param name="RequestsCompleted">
/// Monotonic count of finished requests (all of them, ours included). Servers without such a counter report another
/// monotonic activity counter here (llama.cpp: generated tokens); <see cref="ActivityCounter"/> names it. Compare deltas only.
/// </param>
/// <param name="Running">Requests running now.</param>
/// <param name="Waiting">Requests queued now.</param>
public sealed record ServerLoad(double RequestsCompleted, double Running, double Waiting)
{
    /// <summary>The metric behind <see cref="RequestsCompleted"/>, e.g. <c>vllm:request_success_total</c>.</summary>
    public string? ActivityCounter { get; init; }

    /// <summary>
    /// Whether <paramref name="activityCounter"/> counts generated tokens rather than requests (llama.cpp, older SGLang):
    /// compare it with tokens, like with like.
    /// </summary>
    public static bool CountsTokens(string? activityCounter) => activityCounter?.Contains("token", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>
    /// When the serving process started (unix seconds): <c>process_start_time_seconds</c>, which prometheus_client's
    /// process collector exports in a single-process Python server (vLLM's default); null where the page has none
    /// (multiprocess mode, llama.cpp, TGI, Triton).
    /// </summary>
    public double? ProcessStartTimeSeconds { get; init; }

    /// <summary>
    /// The traffic the server's histograms show (prompt lengths, adapters in use), when it exports them. Left out of
    /// activity outputs: only the idle timer, in its own process, reads it.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Traffic.TrafficSnapshot? Traffic { get; init; }
}
