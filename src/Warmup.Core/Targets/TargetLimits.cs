namespace Warmup.Core.Targets;

/// <summary>Per-target guard rails; plans are clipped to these.</summary>
public sealed record TargetLimits
{
    /// <summary>Highest <see cref="MaxConcurrency"/> a target may set (the CLI applies the same ceilings).</summary>
    public const int MaxConcurrencyCeiling = 256;

    /// <summary>Highest <see cref="MaxTokensPerRun"/> a target may set.</summary>
    public const long MaxTokensPerRunCeiling = 100_000_000;

    /// <summary>
    /// Longest <see cref="ReadyDeadline"/>. The readiness wait is one activity, and the Functions host stops a function
    /// after host.json functionTimeout (00:30:00); 25 minutes leaves room for the activity's own start and reporting.
    /// </summary>
    public static readonly TimeSpan MaxReadyDeadline = TimeSpan.FromMinutes(25);

    /// <summary>Longest <see cref="RequestTimeout"/>: one request (one activity) must fit well inside functionTimeout (00:30:00).</summary>
    public static readonly TimeSpan MaxRequestTimeout = TimeSpan.FromMinutes(20);

    public int MaxConcurrency { get; init; } = 32;

    /// <summary>The least a run may spend by default (<see cref="TokensPerRun"/>), whatever the context window.</summary>
    public const long DefaultMinTokensPerRun = 400_000;

    /// <summary>
    /// Context windows' worth of tokens a run may spend by default: the adaptive loop verifies lengths up to the end of
    /// the context, and a round costs about a dozen windows, so a fixed default starves long contexts (400 k did not
    /// cover round 1 of a 32 k context, and would not cover a 128 k context's verification alone).
    /// </summary>
    public const int DefaultContextWindowsPerRun = 50;

    /// <summary>Upper bound of prompt plus output tokens one run may spend, as configured; null: <see cref="TokensPerRun"/>'s default.</summary>
    public long? MaxTokensPerRun { get; init; }

    /// <summary>
    /// The token budget of a run against a server with <paramref name="maxContext"/> tokens of context: the configured
    /// <see cref="MaxTokensPerRun"/>, else <see cref="DefaultContextWindowsPerRun"/> context windows and at least
    /// <see cref="DefaultMinTokensPerRun"/> (410 k at 8 k, 1.6 M at 32 k, 6.6 M at 128 k).
    /// </summary>
    public long TokensPerRun(int? maxContext)
        => MaxTokensPerRun ?? Math.Min(MaxTokensPerRunCeiling, Math.Max(DefaultMinTokensPerRun, (long)DefaultContextWindowsPerRun * (maxContext ?? 0)));

    /// <summary>How long the readiness gate waits for the server to come up.</summary>
    public TimeSpan ReadyDeadline { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Per-request timeout (headers plus whole stream).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Share of a run's requests that may fail before the run stops sending and ends as aborted (see
    /// Reliability.RunCircuit for the minimum counts). 0.5: a server failing most requests is broken, not cold.
    /// </summary>
    public double AbortFailedShare { get; init; } = 0.5;

    /// <summary>
    /// How long a run waits, before and between levels, while the target is busy with users (requests running or
    /// waiting in its metrics) before it ends as busy. A busy server is being warmed by its users already.
    /// </summary>
    public TimeSpan BusyMaxWait { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Adapters the server holds at once (vLLM --max-loras), for servers whose metrics do not say. When it serves more,
    /// a warm-up warms only this many, the most used first. Null: unknown (every adapter is warmed).
    /// </summary>
    public int? MaxLoadedAdapters { get; init; }

    /// <summary>Pause between two load readings while the target is busy.</summary>
    public TimeSpan BusyPollInterval { get; init; } = TimeSpan.FromSeconds(30);
}
