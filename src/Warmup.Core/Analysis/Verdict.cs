namespace Warmup.Core.Analysis;

/// <summary>
/// Is the endpoint warm? <see cref="Ratio"/> is the mean first-user-like TTFT over the mean steady TTFT across the
/// verified prompt lengths (<see cref="FirstTtftMs"/>, <see cref="SteadyTtftMs"/>); warm when that headline is within the
/// threshold or within the run's timing noise (<see cref="NoiseFloorMs"/>), no single length, adapter or concurrency is
/// cold (<see cref="LengthVerdict.IsCold"/>, <see cref="BurstVerdict.IsCold"/>) and no verification probe failed.
/// A first-user-like TTFT is judged less the time the warmer itself had been stalled when it stamped it (a client-side pause is not the server's).
/// The three numbers are null when nothing could be compared (every verification request failed): there is no ratio to
/// show then, and <see cref="Reason"/> says why.
/// </summary>
public sealed record Verdict(double? FirstTtftMs, double? SteadyTtftMs, double? Ratio, double Threshold, bool IsWarm, string? Reason = null)
{
    public const double DefaultThreshold = 1.2;

    /// <summary>The comparison at every verified prompt length, in the order they were sent.</summary>
    public IReadOnlyList<LengthVerdict> ByLength { get; init; } = [];

    /// <summary>The comparison at every verified concurrency (slowest first token of a burst against the same burst's steady value).</summary>
    public IReadOnlyList<BurstVerdict> ByConcurrency { get; init; } = [];

    /// <summary>Adapters whose first-user-like request was a cold path (a load or compile on first use).</summary>
    public IReadOnlyList<string> ColdAdapters { get; init; } = [];

    /// <summary>Prompt length (tokens) of the worst ratio, or null when no length could be compared.</summary>
    public int? WorstPromptTokens { get; init; }

    /// <summary>
    /// Smallest excess over steady state (ms) this run treats as more than timing noise; derived from the run's own
    /// steady spread (see <see cref="VerdictCalculator"/>). Null when nothing could be compared.
    /// </summary>
    public double? NoiseFloorMs { get; init; }

    /// <summary>
    /// Verified shapes that looked cold only because the warmer itself was stalled while it waited for their first
    /// token (see <see cref="VerdictCalculator"/>); the reason names them.
    /// </summary>
    public int ClientStalledShapes { get; init; }
}

/// <param name="FirstTtftMs">TTFT of the first-user-like probe at this length.</param>
/// <param name="SteadyTtftMs">Median TTFT of the steady probes at this length.</param>
public sealed record LengthVerdict(int PromptTokens, double FirstTtftMs, double SteadyTtftMs, double Ratio)
{
    /// <summary>Over the threshold and slower than steady by more than the timing noise: a cold path a user would hit.</summary>
    public bool IsCold { get; init; }
}

/// <summary>One verified concurrency: the slowest first token of the first burst against the median slowest of the steady bursts.</summary>
public sealed record BurstVerdict(int Concurrency, double FirstSlowestTtftMs, double SteadySlowestTtftMs, double Ratio)
{
    /// <summary>Over the threshold and slower than steady by more than the timing noise: a batch size users would find cold.</summary>
    public bool IsCold { get; init; }
}
