using Warmup.Core.Analysis;
using Warmup.Core.Planning;
using Warmup.Core.Readiness;
using Warmup.Core.Reporting;
using Warmup.Core.Traffic;

namespace Warmup.Core.Tests.Traffic;

public sealed class OwnTrafficTests
{
    private static StepResult Step(PlanStep step, int requests, string phase = Phases.Warmup) => new()
    {
        Step = step,
        Phase = phase,
        Requests = requests,
        TtftMs = LatencySummary.Empty,
        InterTokenMs = LatencySummary.Empty,
        E2eMs = LatencySummary.Empty,
    };

    [Fact]
    public void A_report_gives_back_every_prompt_length_it_sent_plan_and_verification()
    {
        // Verification: lengths 100, 900, 3000 once each, two adapters at the middle length, bursts of 2 and 4 at the
        // burst length; the steady pass sends that set three more times.
        var mix = new VerificationPlan([100, 900, 3000], 8, 3) { Adapters = ["a", "b"], Concurrencies = [2, 4] };
        var first = Step(new PlanStep(3000, 8, 1), 3 + 2 + 6, Phases.Verify) with { PromptLengths = mix.PromptLengths, Concurrencies = mix.Concurrencies };
        var steady = Step(new PlanStep(3000, 8, 1), 3 * (3 + 2 + 6), Phases.Steady) with { PromptLengths = mix.PromptLengths, Concurrencies = mix.Concurrencies };
        var report = new WarmupReport
        {
            RunId = "r", CorrelationId = "c", Target = "t", Dialect = "openai", Model = "m", Reason = "idle", Plan = "adaptive", Outcome = RunOutcomes.Warm,
            Readiness = new ReadinessResult(true, 1, 1, null),
            Steps = [Step(new PlanStep(64, 8, 1), 1), Step(new PlanStep(32, 8, 1, "a"), 1), Step(new PlanStep(32, 64, 8) { Staircase = true }, 8)],
            FirstUserLike = first,
            Steady = steady,
            Totals = new RunTotals(0, 0, 0, 0, new Dictionary<string, int>()),
        };

        var sent = OwnTraffic.From(report);

        Assert.Equal(
            [new(32, 1 + 8 + (6 * 4)), new(64, 1), new(100, 4), new(900, 4 + (2 * 4)), new(3000, 4)],
            sent);
        Assert.Equal(report.Steps.Sum(s => s.Requests) + first.Requests + steady.Requests, sent.Sum(s => s.Requests));
    }

    [Fact]
    public void An_adaptive_report_gives_back_every_round_of_its_user_like_mix_with_fewer_steady_repeats_for_long_lengths()
    {
        // Round 1 verified 100, 900, 3000 and 6000 (the last two long: one steady repeat each), one adapter at the mix's
        // lower-quartile length (index 4/4 = 1: 900) and a burst of 2. Round 2 verified 100 and 6000 alone.
        IReadOnlyList<int> lengths = [100, 900, 3000, 6000];
        var firstSteady = (2 * 3) + (2 * 1) + 3 + (2 * 3);
        var round1 = Step(new PlanStep(6000, 8, 1), 4 + 1 + 2, Phases.Verify) with { PromptLengths = lengths, Concurrencies = [2] };
        var steady1 = Step(new PlanStep(6000, 8, 1), firstSteady, Phases.Steady) with { PromptLengths = lengths, Concurrencies = [2] };
        var round2 = Step(new PlanStep(6000, 8, 1), 2, Phases.Verify) with { PromptLengths = [100, 6000] };
        var steady2 = Step(new PlanStep(6000, 8, 1), 3 + 1, Phases.Steady) with { PromptLengths = [100, 6000] };
        var report = new WarmupReport
        {
            RunId = "r", CorrelationId = "c", Target = "t", Dialect = "openai", Model = "m", Reason = "manual", Plan = "adaptive", Outcome = RunOutcomes.Warm,
            Readiness = new ReadinessResult(true, 1, 1, null),
            Steps = [Step(new PlanStep(64, 8, 1), 1)],
            EarlierVerifications = [round1, steady1],
            FirstUserLike = round2,
            Steady = steady2,
            Adaptive = new Warmup.Core.Adaptive.AdaptiveReport { StoppedBy = "warm", Rounds = [], ColdShapes = [], StillCold = [] },
            Totals = new RunTotals(0, 0, 0, 0, new Dictionary<string, int>()),
        };

        var sent = OwnTraffic.From(report);

        Assert.Equal(
            [new(VerificationPlan.BurstPromptTokens, 2 * 4), new(64, 1), new(100, 4 + 4), new(900, 4 + 4), new(3000, 2), new(6000, 2 + 2)],
            sent);
        Assert.Equal(1 + round1.Requests + steady1.Requests + round2.Requests + steady2.Requests, sent.Sum(s => s.Requests));
    }

    [Fact]
    public void A_plan_step_counts_at_the_length_the_server_reported()
    {
        var report = new WarmupReport
        {
            RunId = "r", CorrelationId = "c", Target = "t", Dialect = "openai", Model = "m", Reason = "manual", Plan = "full", Outcome = RunOutcomes.Warm,
            Readiness = new ReadinessResult(true, 1, 1, null),
            // Asked for 2,000 tokens, the server's usage said 2,004; a step without usage keeps the length asked for.
            Steps = [Step(new PlanStep(2000, 8, 1), 1) with { Succeeded = 1, PromptTokens = 2004 }, Step(new PlanStep(500, 8, 2), 2)],
            Totals = new RunTotals(0, 0, 0, 0, new Dictionary<string, int>()),
        };

        Assert.Equal([new(500, 2), new(2004, 1)], OwnTraffic.From(report));
    }
}
