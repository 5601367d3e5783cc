using Warmup.Core.Analysis;

namespace Warmup.Core.Tests.Analysis;

public sealed class WidespreadExcessTests
{
    [Theory]
    [InlineData(0, 8, 0.3, 1.0)]
    [InlineData(2, 8, 1.0 / 26, 0.03549)]
    [InlineData(5, 8, 2.0 / 26, 0.00012)]
    [InlineData(8, 8, 0.5, 0.00390625)]
    public void The_binomial_tail_is_exact(int k, int n, double p, double expected)
        => Assert.Equal(expected, WidespreadExcess.AtLeast(k, n, p), precision: 5);

    [Fact]
    public void Shapes_are_cold_together_only_when_their_count_is_unlikely_at_the_steady_stray_rate()
    {
        IReadOnlyList<double> quiet = [20, 20, 21];
        IReadOnlyList<double> strayed = [20, 20, 60];
        static double Floor(double steadyMs) => 10;

        // Three of eight 30 ms over steady, no steady sample strayed: p = 0.003 at a rate of 1 in 26.
        var rare = Enumerable.Range(0, 8).Select(i => (i < 3 ? 50.0 : 20.0, quiet)).ToList();
        // The same three, but every shape's steady samples strayed once: p = 0.56 at a rate of 9 in 26.
        var common = Enumerable.Range(0, 8).Select(i => (i < 3 ? 50.0 : 20.0, strayed)).ToList();

        Assert.Equal([0, 1, 2], WidespreadExcess.Cold(rare, 1.2, Floor));
        Assert.Empty(WidespreadExcess.Cold(common, 1.2, Floor));
    }
}
