using Warmup.Core.Analysis;

namespace Warmup.Core.Tests.Analysis;

// Expected values are numpy.percentile(data, q) with the default method='linear'. They equal Python's
// statistics.quantiles(data, n=100, method='inclusive') (same formula, R type 7), which produced them here;
// [10, 7, 4, 3, 2, 1] at 50 -> 3.5 is the example in numpy's own percentile documentation.
public sealed class PercentilesTests
{
    public static TheoryData<double[], double, double> Known => new()
    {
        { [15, 20, 35, 40, 50], 25, 20.0 },
        { [15, 20, 35, 40, 50], 40, 29.0 },
        { [15, 20, 35, 40, 50], 90, 46.0 },
        { [15, 20, 35, 40, 50], 99, 49.6 },
        { [1.5, 0.2, 9.75, 3.3, 3.3, 7.1, 12.0, 0.05], 25, 1.175 },
        { [1.5, 0.2, 9.75, 3.3, 3.3, 7.1, 12.0, 0.05], 40, 2.94 },
        { [1.5, 0.2, 9.75, 3.3, 3.3, 7.1, 12.0, 0.05], 90, 10.425 },
        { [1.5, 0.2, 9.75, 3.3, 3.3, 7.1, 12.0, 0.05], 99, 11.8425 },
        { [10, 7, 4, 3, 2, 1], 50, 3.5 },
        { [10, 7, 4, 3, 2, 1], 99, 9.85 },
        { [1, 2], 90, 1.9 },
        { [42], 99, 42 },
        { [3, 1, 2], 0, 1 },
        { [3, 1, 2], 100, 3 },
    };

    [Theory]
    [MemberData(nameof(Known))]
    public void Matches_numpy_linear(double[] data, double percentile, double expected)
        => Assert.Equal(expected, Percentiles.Of(data, percentile), precision: 9);

    [Fact]
    public void Does_not_reorder_the_input()
    {
        double[] data = [3, 1, 2];

        Percentiles.Of(data, 50);

        Assert.Equal([3, 1, 2], data);
    }

    [Fact]
    public void Refuses_empty_input_and_out_of_range_percentiles()
    {
        Assert.Throws<ArgumentException>(() => Percentiles.Of([], 50));
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.Of([1], 101));
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.Of([1], -1));
    }

    [Fact]
    public void Latency_summary_uses_the_same_math()
    {
        var summary = LatencySummary.From([1.5, 0.2, 9.75, 3.3, 3.3, 7.1, 12.0, 0.05]);

        Assert.Equal(8, summary.Count);
        Assert.Equal(3.3, summary.P50, precision: 9);
        Assert.Equal(10.425, summary.P90, precision: 9);
        Assert.Equal(11.8425, summary.P99, precision: 9);
        Assert.Equal(12.0, summary.Max);
        Assert.Same(LatencySummary.Empty, LatencySummary.From([]));
    }
}
