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
        Assert.Equal(325.0 / 300.0, verdict.Ratio, precision: 9);
        Assert.Equal(400, verdict.WorstPromptTokens);
        Assert.Equal(162.5, verdict.FirstTtftMs);
        Assert.Equal(150, verdict.SteadyTtftMs);
        Assert.Equal(2, verdict.ByLength.Count);
        Assert.Equal(1.05, verdict.ByLength[0].Ratio, precision: 9);
        Assert.Equal(1.1, verdict.ByLength[1].Ratio, precision: 9);
    }

    [Fact]
    public void A_cold_length_makes_it_not_warm_even_when_the_average_looks_warm()
    {
        // Averaged over the lengths this is 1.08x; the shortest length alone is 5x slower on first use, 32 ms over steady.
        var verdict = VerdictCalculator.Calculate(
            [Ttft(48, 40), Ttft(6144, 400)],
            [.. Steady(48, 8, 8, 8), .. Steady(6144, 400, 395, 405)],
            1.2);

        Assert.False(verdict.IsWarm);
        Assert.Equal(440.0 / 408.0, verdict.Ratio, precision: 9);
        Assert.Equal(48, verdict.WorstPromptTokens);
        Assert.True(verdict.ByLength[0].IsCold);
        Assert.False(verdict.ByLength[1].IsCold);
        Assert.Equal(
            "first-user-like TTFT at 48 prompt tokens was 40.0 ms against a steady 8.0 ms (5.00x, over the 1.20x threshold)",
            verdict.Reason);
    }

    [Fact]
    public void A_few_milliseconds_of_jitter_on_a_short_prompt_is_not_a_cold_path()
    {
        // 48 tokens: 10.6 ms against 8.2 ms is 1.29x, but only 2.4 ms: timing noise, not a compile or a capture.
        var verdict = VerdictCalculator.Calculate(
            [Ttft(48, 10.6), Ttft(1827, 130)],
            [.. Steady(48, 8.2, 8.0, 8.4), .. Steady(1827, 125, 120, 128)],
            1.2);

        Assert.True(verdict.IsWarm, verdict.Reason);
        Assert.False(verdict.ByLength[0].IsCold);
        Assert.Equal(1.29, verdict.ByLength[0].Ratio, precision: 2);
        Assert.Equal(140.6 / 133.2, verdict.Ratio, precision: 9);
    }

    [Fact]
    public void Slower_on_average_is_not_warm_even_when_no_single_length_stands_out()
    {
        var verdict = VerdictCalculator.Calculate(
            [Ttft(48, 30), Ttft(400, 130)],
            [.. Steady(48, 20, 20, 20), .. Steady(400, 100, 100, 100)],
            1.2);

        Assert.False(verdict.IsWarm);
        Assert.Equal(160.0 / 120.0, verdict.Ratio, precision: 9);
        Assert.StartsWith("first-user-like TTFT averaged 80.0 ms against a steady 60.0 ms over 2 lengths (1.33x", verdict.Reason);
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
