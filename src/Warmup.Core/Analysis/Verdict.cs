namespace Warmup.Core.Analysis;

/// <summary>
/// Is the endpoint warm? <see cref="Ratio"/> is the mean first-user-like TTFT over the mean steady TTFT across the
/// verified prompt lengths (<see cref="FirstTtftMs"/>, <see cref="SteadyTtftMs"/>); warm when it is within the
/// threshold, no single length is cold (<see cref="LengthVerdict.IsCold"/>) and no verification probe failed.
/// </summary>
public sealed record Verdict(double FirstTtftMs, double SteadyTtftMs, double Ratio, double Threshold, bool IsWarm, string? Reason = null)
{
    public const double DefaultThreshold = 1.2;

    /// <summary>The comparison at every verified prompt length, in the order they were sent.</summary>
    public IReadOnlyList<LengthVerdict> ByLength { get; init; } = [];

    /// <summary>Prompt length (tokens) of the worst ratio, or null when no length could be compared.</summary>
    public int? WorstPromptTokens { get; init; }
}

/// <param name="FirstTtftMs">TTFT of the first-user-like probe at this length.</param>
/// <param name="SteadyTtftMs">Median TTFT of the steady probes at this length.</param>
public sealed record LengthVerdict(int PromptTokens, double FirstTtftMs, double SteadyTtftMs, double Ratio)
{
    /// <summary>Over the threshold and slower than steady by more than the timing noise: a cold path a user would hit.</summary>
    public bool IsCold { get; init; }
}
