using Warmup.Core.Analysis;

namespace Warmup.Core.Tests.Analysis;

public sealed class VerdictThresholdTests
{
    [Theory]
    [InlineData(1.01)]
    [InlineData(Verdict.DefaultThreshold)]
    [InlineData(10.0)]
    public void Accepts_above_one_up_to_ten(double value)
    {
        Assert.Null(VerdictThreshold.Problem(value));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(10.5)]
    [InlineData(double.NaN)]
    public void Refuses_everything_else_in_one_sentence(double value)
    {
        var problem = VerdictThreshold.Problem(value);

        Assert.StartsWith("threshold must be a number above 1.0 and at most 10 ", problem, StringComparison.Ordinal);
    }
}
