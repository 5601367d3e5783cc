using Warmup.Core.Analysis;
using Warmup.Core.Probing;

namespace Warmup.Core.Tests.Analysis;

public sealed class VerdictCalculatorTests
{
    private static LengthProbe Ttft(int length, double ms) => new(length, new ProbeResult { Outcome = ProbeOutcome.Ok, TtftMs = ms });

    private static LengthProbe Failed(int length, ProbeOutcome outcome, int? status = null)
        => new(length, new ProbeResult { Outcome = outcome, StatusCode = status });

    private static List<LengthProbe> Steady(int length, params double[] ms) => ms.Select(m => Ttft(length, m)).ToList();

    [Fact]
    public void Warm_when_every_length_is_within_the_threshold()
    {
        var verdict = VerdictCalculator.Calculate(
            [Ttft(48, 105), Ttft(400, 220)],
            [.. Steady(48, 100, 90, 110), .. Steady(400, 200, 210, 190)],
            1.2);

        Assert.True(verdict.IsWarm);
        Assert.Equal(1.1, verdict.Ratio, precision: 9);
        Assert.Equal(400, verdict.WorstPromptTokens);
        Assert.Equal(220, verdict.FirstTtftMs);
        Assert.Equal(200, verdict.SteadyTtftMs);
        Assert.Equal(2, verdict.ByLength.Count);
        Assert.Equal(1.05, verdict.ByLength[0].Ratio, precision: 9);
    }

    [Fact]
    public void The_worst_length_decides_even_when_the_average_looks_warm()
    {
        // Pooled medians would compare 100 and ~100 and call it warm; length 1500 alone is 3x slower on first use.
        var verdict = VerdictCalculator.Calculate(
            [Ttft(48, 50), Ttft(200, 60), Ttft(1500, 900)],
            [.. Steady(48, 50, 50, 50), .. Steady(200, 60, 60, 60), .. Steady(1500, 310, 300, 290)],
            1.2);

        Assert.False(verdict.IsWarm);
        Assert.Equal(3.0, verdict.Ratio, precision: 9);
        Assert.Equal(1500, verdict.WorstPromptTokens);
        Assert.Equal(
            "first-user-like TTFT at 1500 prompt tokens was 900.0 ms against a steady 300.0 ms (3.00x, over the 1.20x threshold)",
            verdict.Reason);
    }

    [Fact]
    public void Any_failed_verification_probe_makes_it_not_warm()
    {
        var verdict = VerdictCalculator.Calculate(
            [Ttft(48, 100), Failed(400, ProbeOutcome.HttpError, 503)],
            [.. Steady(48, 100, 100, 100), Failed(400, ProbeOutcome.Timeout), .. Steady(400, 100, 100)],
            1.2);

        Assert.False(verdict.IsWarm);
        Assert.Equal(1.0, verdict.Ratio);
        Assert.Equal("2 of 8 verification probes failed (HttpError:503 x1, Timeout x1)", verdict.Reason);
    }

    [Fact]
    public void Nothing_comparable_is_not_warm_with_a_reason()
    {
        var verdict = VerdictCalculator.Calculate(
            [Failed(48, ProbeOutcome.ConnectionRefused)], [Failed(48, ProbeOutcome.ConnectionRefused)], 1.2);

        Assert.False(verdict.IsWarm);
        Assert.Equal(0, verdict.Ratio);
        Assert.Equal("2 of 2 verification probes failed (ConnectionRefused x2)", verdict.Reason);
    }

    [Fact]
    public void The_threshold_is_inclusive()
    {
        var verdict = VerdictCalculator.Calculate([Ttft(48, 120)], Steady(48, 100, 100, 100), 1.2);

        Assert.True(verdict.IsWarm);
    }
}
