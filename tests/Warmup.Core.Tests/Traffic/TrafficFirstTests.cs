using Warmup.Core.Adaptive;
using Warmup.Core.Planning;
using Warmup.Core.Targets;
using Warmup.Core.Traffic;

namespace Warmup.Core.Tests.Traffic;

/// <summary>Round 1 of the adaptive loop and its verification, given what users were observed sending.</summary>
public sealed class TrafficFirstTests
{
    private static WarmupTarget Target(int maxConcurrency = 16, long maxTokens = 400_000) => new()
    {
        Name = "t",
        BaseUrl = new Uri("http://127.0.0.1:8000/"),
        Model = "m",
        Limits = new TargetLimits { MaxConcurrency = maxConcurrency, MaxTokensPerRun = maxTokens },
    };

    private static readonly ObservedTraffic Users = new(1001, 2000, MaxRunning: 6, UserRequests: 120);

    private static RoundPlan First(WarmupTarget target, ObservedTraffic? traffic, long budget = 400_000)
        => RoundPlanner.First(PlanSpec.FromPreset(PlanPresets.Adaptive), target, 8192, true, null, new AdaptiveBudget(budget, 5, TimeSpan.FromMinutes(20)), traffic);

    [Fact]
    public void Round_one_starts_with_rungs_across_the_observed_range_then_a_burst_at_the_observed_peak()
    {
        var round = First(Target(), Users);

        var rungs = TrafficFirst.RangeRungs(Users, RoundPlanner.Longest(8192));
        var leading = round.Plan.Steps.Take(rungs.Count + 2).ToList();
        Assert.Equal(1001, rungs[0]);
        Assert.Equal(2000, rungs[^1]);
        Assert.All(rungs.Zip(rungs.Skip(1)), p => Assert.InRange(p.Second - p.First, PrefillRungs.MinSpacing, 2000));
        // The coarse ladder's rung in the range (1920, below the 2048 edge) joins them; then the burst of the users' peak concurrency.
        var ladderInRange = FullPlan.PromptLadder(null, RoundPlanner.Longest(8192)).Select(s => s.PromptTokens).Where(l => l is >= 1001 and <= 2000).ToList();
        Assert.Equal([1920], ladderInRange);
        Assert.Equal(rungs.Concat(ladderInRange).Order(), leading.Take(rungs.Count + 1).Select(s => s.PromptTokens));
        Assert.Single(round.Plan.Steps, s => s.PromptTokens == 1920 && s.Concurrency == 1);
        Assert.All(leading.Take(rungs.Count + 1), s => Assert.Equal(1, s.Concurrency));
        Assert.Equal((6, 1500), (leading[^1].Concurrency, leading[^1].PromptTokens));
        Assert.Contains(round.State.Notes, n => n.Contains("1001-2000 tokens", StringComparison.Ordinal));
        // Its verification probes the range first, off the rungs (the range's ends among them) yet inside it.
        Assert.All(round.Mix.PromptLengths.Take(VerificationPlan.ObservedPoints), l => Assert.InRange(l, 1001, 2000));
        Assert.DoesNotContain(round.Mix.PromptLengths, l => rungs.Contains(l));
        // The rest of round 1 is still there: the coarse ladder outside the range and the staircase.
        Assert.All(FullPlan.PromptLadder(null, RoundPlanner.Longest(8192)), r => Assert.Contains(round.Plan.Steps, s => s.PromptTokens == r.PromptTokens && s.Concurrency == 1));
        Assert.Contains(round.Plan.Steps, s => s.Staircase && s.Concurrency == 16);
    }

    [Fact]
    public void Without_observations_round_one_is_unchanged()
    {
        Assert.Equal(First(Target(), null).Plan.Steps, First(Target(), new ObservedTraffic(null, null, 0, 0)).Plan.Steps);
    }

    [Fact]
    public void A_tight_budget_trims_the_rest_of_the_round_and_keeps_the_observed_range()
    {
        var generous = First(Target(), Users);
        var range = TrafficFirst.RangeRungs(Users, RoundPlanner.Longest(8192));
        // Room for the verification, the range's rungs and the peak burst, and little more.
        var usersFirst = generous.Plan.Steps.Take(range.Count + 2).Sum(s => (long)s.Concurrency * (s.PromptTokens + s.MaxOutputTokens));
        var budget = generous.Mix.TokenCost + usersFirst + 2_000;
        var tight = First(Target(maxTokens: budget), Users, budget);

        Assert.Null(tight.Stop);
        Assert.True(tight.Plan.Steps.Count < generous.Plan.Steps.Count, "the budget left some of round 1 out");
        Assert.All(range, l => Assert.Contains(tight.Plan.Steps, s => s.PromptTokens == l && s.Concurrency == 1));
        Assert.Contains(tight.Plan.Steps, s => s.Concurrency == 6 && !s.Staircase);
    }

    [Fact]
    public void The_observed_peak_is_capped_by_the_targets_concurrency_limit()
    {
        var round = First(Target(maxConcurrency: 4), Users with { MaxRunning = 40 });

        Assert.DoesNotContain(round.Plan.Steps, s => s.Concurrency > 4);
        Assert.Equal(4, round.Mix.Concurrencies[0]);
        Assert.Contains(round.State.Notes, n => n.Contains("up to 40 requests", StringComparison.Ordinal));
    }

    [Fact]
    public void Verification_measures_the_observed_range_and_peak_first_at_the_same_size()
    {
        var plain = VerificationPlan.UserLikeMix(new WarmupPlan("p", []), 8192, [], 16, 0);
        var shaped = VerificationPlan.UserLikeMix(new WarmupPlan("p", []), 8192, [], 16, 0, Users);

        Assert.Equal(plain.PromptLengths.Count, shaped.PromptLengths.Count);
        Assert.All(shaped.PromptLengths.Take(VerificationPlan.ObservedPoints), l => Assert.InRange(l, 1001, 2000));
        Assert.Equal(6, shaped.Concurrencies[0]);
        Assert.Contains(16, shaped.Concurrencies);
        Assert.True(shaped.PromptLengths.Max() > 0.9 * 8192, "the rest of the mix still reaches the top of the context");
    }

    [Fact]
    public void Later_rounds_keep_verifying_the_observed_range()
    {
        var round = First(Target(), Users);
        var state = round.State with { Round = 1 };

        var next = RoundPlanner.Next(Target(), 8192, true, state with
        {
            ColdShapes = [new ColdShape(ColdShapeKinds.Prefill, 5000, null, 1, 4096, 6000)],
        }, new AdaptiveBudget(400_000, 5, TimeSpan.FromMinutes(20)));

        Assert.Null(next.Stop);
        Assert.All(next.Mix.PromptLengths.Take(VerificationPlan.ObservedPoints), l => Assert.InRange(l, 1001, 2000));
    }
}
