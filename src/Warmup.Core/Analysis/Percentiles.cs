namespace Warmup.Core.Analysis;

/// <summary>
/// Percentiles with numpy's default ('linear') method, the one vLLM, SGLang and GenAI-Perf report, so numbers
/// compare: for sorted x of length n, h = (n - 1) * q / 100, result = x[floor h] + (h - floor h) * (x[floor h + 1] - x[floor h]).
/// </summary>
public static class Percentiles
{
    /// <param name="values">Any order; not modified.</param>
    /// <param name="percentile">0 to 100.</param>
    public static double Of(IReadOnlyList<double> values, double percentile)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("cannot take a percentile of no values", nameof(values));
        }

        var sorted = values.ToArray();
        Array.Sort(sorted);
        return OfSorted(sorted, percentile);
    }

    /// <param name="sorted">Ascending.</param>
    /// <param name="percentile">0 to 100.</param>
    public static double OfSorted(ReadOnlySpan<double> sorted, double percentile)
    {
        if (sorted.Length == 0)
        {
            throw new ArgumentException("cannot take a percentile of no values", nameof(sorted));
        }

        if (double.IsNaN(percentile) || percentile < 0 || percentile > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "percentile must be between 0 and 100");
        }

        var h = (sorted.Length - 1) * (percentile / 100.0);
        var lower = (int)Math.Floor(h);
        if (lower >= sorted.Length - 1)
        {
            return sorted[^1];
        }

        var fraction = h - lower;
        return sorted[lower] + (fraction * (sorted[lower + 1] - sorted[lower]));
    }

    public static double Median(IReadOnlyList<double> values) => Of(values, 50);
}
