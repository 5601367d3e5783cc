namespace Warmup.Core.Probing;

/// <summary>
/// The measured timeline of one streamed request. Times are milliseconds from the moment the request
/// was handed to the HTTP stack (monotonic clock).
/// </summary>
public sealed record ProbeResult
{
    public required ProbeOutcome Outcome { get; init; }

    /// <summary>HTTP status, when response headers arrived.</summary>
    public int? StatusCode { get; init; }

    /// <summary>Short, secret-free reason for a failure (never the prompt, never a key).</summary>
    public string? Error { get; init; }

    public double? HeadersMs { get; init; }

    /// <summary>Time to the first content-bearing token: not headers, not a role-only chunk, not an SSE comment.</summary>
    public double? TtftMs { get; init; }

    /// <summary>Gaps between successive token-bearing chunks (per chunk).</summary>
    public IReadOnlyList<double> InterTokenMs { get; init; } = [];

    /// <summary>Time to the last token-bearing chunk (vLLM bench convention).</summary>
    public double? E2eMs { get; init; }

    /// <summary>Time to the end of the body (terminal marker or EOF).</summary>
    public double? EndMs { get; init; }

    public int PromptTokens { get; init; }

    public int OutputTokens { get; init; }

    /// <summary>True when token counts came from the server (usage chunk), false when counted client-side.</summary>
    public bool TokensFromServer { get; init; }

    /// <summary>
    /// <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> at the first token, in Stopwatch ticks. Only comparable with
    /// timestamps taken in the same process (benchmarks use it to measure the probe's own overhead).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public long? FirstTokenTimestamp { get; init; }

    /// <summary>
    /// Milliseconds the warmer itself had been stalled (descheduled by the OS, paused by a GC, its thread pool backed up)
    /// when it stamped the first token (or the end), since the request was sent (<see cref="ClientStallMeter.StalledAtMs"/>):
    /// at most that much of the TTFT is the client's, not the server's; the verdict does not count it against the server.
    /// Not serialized.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public double ClientStallMs { get; init; }

    /// <summary>Time this request waited, before it was sent, for a Retry-After the target asked for (not part of TTFT).</summary>
    public double RetryAfterWaitMs { get; init; }

    public bool IsSuccess => Outcome == ProbeOutcome.Ok;
}
