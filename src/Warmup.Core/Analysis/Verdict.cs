namespace Warmup.Core.Analysis;

/// <summary>
/// Is the endpoint warm? Ratio of first-user-like TTFT to steady-state TTFT (both medians), against a threshold.
/// </summary>
public sealed record Verdict(double FirstTtftMs, double SteadyTtftMs, double Ratio, double Threshold, bool IsWarm, string? Reason = null)
{
    public const double DefaultThreshold = 1.2;
}
