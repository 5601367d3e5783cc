namespace Warmup.Bench.Engine;

/// <summary>Median and range of a few repeats (too few for percentiles: the spread is reported as min..max).</summary>
internal sealed record Spread(int Count, double Median, double Min, double Max)
{
    public static Spread Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
        {
            return new Spread(0, double.NaN, double.NaN, double.NaN);
        }

        var mid = sorted.Count / 2;
        var median = sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        return new Spread(sorted.Count, Math.Round(median, 3), Math.Round(sorted[0], 3), Math.Round(sorted[^1], 3));
    }

    public override string ToString() => Count == 1 ? $"{Median:F2}" : $"{Median:F2} ({Min:F2}..{Max:F2})";
}

internal static class BenchSettings
{
    /// <summary>Reads a number from the environment (for shorter or longer local runs), else the default.</summary>
    public static double Number(string variable, double fallback)
        => double.TryParse(Environment.GetEnvironmentVariable(variable), System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    /// <summary>WARMUP_BENCH_ONLY=profile:plan[,profile:plan...] runs only those cases (development; results then are partial).</summary>
    public static string? Only => Environment.GetEnvironmentVariable("WARMUP_BENCH_ONLY");

    public static bool Selected(string profile, string plan)
        => Only is not { } only || only.Split(',', StringSplitOptions.TrimEntries).Contains($"{profile}:{plan}");

    public static string Machine => $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, " +
                                    $"{System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}";
}
