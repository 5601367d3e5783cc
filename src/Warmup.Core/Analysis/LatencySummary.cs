namespace Warmup.Core.Analysis;

/// <summary>Percentiles of one latency series in milliseconds (linear interpolation, numpy default).</summary>
public sealed record LatencySummary(int Count, double P50, double P90, double P99, double Max)
{
    public static LatencySummary Empty { get; } = new(0, 0, 0, 0, 0);
}
