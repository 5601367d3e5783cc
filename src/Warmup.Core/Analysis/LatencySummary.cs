namespace Warmup.Core.Analysis;

/// <summary>Percentiles of one latency series in milliseconds (linear interpolation, numpy default).</summary>
public sealed record LatencySummary(int Count, double P50, double P90, double P99, double Max)
{
    public static LatencySummary Empty { get; } = new(0, 0, 0, 0, 0);

    /// <summary>Summarizes a series; <see cref="Empty"/> when there are no values.</summary>
    public static LatencySummary From(IEnumerable<double> values)
    {
        var sorted = values.ToArray();
        if (sorted.Length == 0)
        {
            return Empty;
        }

        Array.Sort(sorted);
        return new LatencySummary(
            sorted.Length,
            Percentiles.OfSorted(sorted, 50),
            Percentiles.OfSorted(sorted, 90),
            Percentiles.OfSorted(sorted, 99),
            sorted[^1]);
    }
}
