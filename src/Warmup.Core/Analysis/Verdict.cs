namespace Warmup.Core.Analysis;

/// <summary>
/// Is the endpoint warm? Ratio of first-user-like TTFT to steady-state TTFT, against a threshold. Compared per prompt
/// length (first probe / median of the steady probes at the same length); the worst length decides, and
/// <see cref="FirstTtftMs"/>, <see cref="SteadyTtftMs"/> and <see cref="Ratio"/> are that length's numbers.
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
public sealed record LengthVerdict(int PromptTokens, double FirstTtftMs, double SteadyTtftMs, double Ratio);
