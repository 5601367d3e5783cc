using Warmup.Core.Adaptive;
using Warmup.Core.Analysis;
using Warmup.Core.Planning;
using Warmup.Core.Targets;

namespace Warmup.Core.Tests.Adaptive;

/// <summary>
/// Where a whole bucket may lie unseen between sent lengths, on histories a server with known buckets would produce:
/// a length pays when its bucket was not compiled before it.
/// </summary>
public sealed class HiddenBucketsTests
{
    [Fact]
    public void Rungs_wider_apart_than_the_buckets_get_a_midpoint_in_every_bucket_they_skipped()
    {
        // 384-token buckets and rungs 480 apart: about one bucket in five lies between two rungs.
        var sent = Enumerable.Range(1, 16).Select(i => i * 480).ToList();

        var midpoints = HiddenBuckets.Midpoints(Send(sent, bucket: 384));

        var skipped = Enumerable.Range(1, 20)
            .Select(k => (Low: ((k - 1) * 384) + 1, High: k * 384))
            .Where(b => b.Low > sent[0] && b.High < sent[^1] && !sent.Any(l => l >= b.Low && l <= b.High))
            .ToList();
        Assert.NotEmpty(skipped);
        Assert.All(skipped, b => Assert.Contains(midpoints, m => m >= b.Low && m <= b.High));
    }

    [Fact]
    public void The_bucket_users_met_after_a_warm_verdict_is_found_between_two_lengths_in_different_buckets()
    {
        // From a benchmark run on 384-token buckets: 4932 and 5402 are in different buckets (5402 paid after 4932 was
        // sent), and the one length that shared a bucket near them shows it only 74 tokens wide, so (4992, 5376] may lie
        // between them; users met it.
        var history = Send([4522, 4932, 5402, 5476, 5880, 6260], bucket: 384);

        var midpoints = HiddenBuckets.Midpoints(history);

        Assert.Contains(midpoints, m => m is > 4992 and <= 5376);
    }

    [Fact]
    public void A_gap_no_wider_than_a_bucket_shown_next_to_it_gets_no_midpoint()
    {
        // 1000 did not pay: it shares a bucket with 600 or 1400, so buckets here are at least 400 wide, and the 400-token
        // gaps around it cannot hold a whole one.
        List<SentLength> history = [new(600, true), new(1400, true), new(1000, false), new(1800, true)];

        Assert.Empty(HiddenBuckets.Midpoints(history));
    }

    [Fact]
    public void Gaps_narrower_than_128_tokens_get_no_midpoint()
    {
        // 2000 shares 1950's bucket or 3000's: the 50 tokens to 1950 are all it shows. 3000 to 3100 cannot hold a bucket
        // of 64 tokens that a midpoint would miss.
        List<SentLength> history = [new(1000, true), new(1950, true), new(2000, false), new(3000, true), new(3100, true), new(4000, null)];

        Assert.Equal([2500, 1475, 3550], HiddenBuckets.Midpoints(history));
    }

    [Fact]
    public void The_widest_gaps_come_first_so_a_budget_trim_drops_the_narrowest()
    {
        List<SentLength> history = [new(1000, true), new(1300, true), new(2300, true), new(2800, true)];

        Assert.Equal([1800, 2550, 1150], HiddenBuckets.Midpoints(history));
    }

    [Fact]
    public void After_a_warm_refinement_round_the_next_round_sends_only_the_midpoints_and_no_verification()
    {
        var (target, budget) = (Target(), new AdaptiveBudget(2_000_000, 5, TimeSpan.FromMinutes(20)));
        // Round 2 refined at a 480-token spacing (4932 and 5402 paid, 5476 found 5402's bucket compiled) and verified warm.
        var refined = new AdaptiveState { Round = 1, Spacing = 480, SentLengths = [4522], History = [new(4522, true)] };
        var round = new RoundPlan(new WarmupPlan(PlanPresets.Adaptive, [Rung(4932), Rung(5402), Rung(5476)]), new VerificationPlan([4500, 5800], 8, 1), refined, 1);
        IReadOnlyList<StepResult> steps = [Sent(4932, 300), Sent(5402, 320), Sent(5476, 150)];

        var state = RoundFindings.Record(refined, round, WarmVerdict(), 30_000, 8021, steps);
        var probe = RoundPlanner.Next(target, 8192, true, state, budget);

        Assert.Contains(state.Midpoints, m => m is > 4992 and <= 5376);
        Assert.True(probe.ProbeOnly);
        Assert.Null(probe.Stop);
        Assert.Equal(state.Midpoints, probe.Plan.Steps.Select(s => s.PromptTokens));
        Assert.Empty(probe.Mix.PromptLengths);
        Assert.Equal(0, probe.Mix.TokenCost);
        Assert.Empty(probe.State.Midpoints);
    }

    [Fact]
    public void No_midpoints_before_the_loop_refined_nor_after_a_learned_maps_replay_nor_when_not_warm()
    {
        var round = new RoundPlan(new WarmupPlan(PlanPresets.Adaptive, [Rung(4932), Rung(5402)]), new VerificationPlan([], 8, 0), new AdaptiveState(), 1);
        IReadOnlyList<StepResult> steps = [Sent(4932, 300), Sent(5402, 320)];
        var refined = new AdaptiveState { Round = 1, Spacing = 480 };

        Assert.NotEmpty(RoundFindings.Record(refined, round, WarmVerdict(), 1, 8021, steps).Midpoints);
        Assert.Empty(RoundFindings.Record(new AdaptiveState(), round, WarmVerdict(), 1, 8021, steps).Midpoints);
        Assert.Empty(RoundFindings.Record(refined with { Round = 0, FromShapeMap = true }, round, WarmVerdict(), 1, 8021, steps).Midpoints);
        Assert.Empty(RoundFindings.Record(refined, round, WarmVerdict() with { IsWarm = false }, 1, 8021, steps).Midpoints);
    }

    [Fact]
    public void A_probe_round_is_judged_against_the_last_verification_and_says_what_it_found()
    {
        var state = new AdaptiveState { Round = 3, Spacing = 480, History = [new(4932, true), new(5402, true)], SentLengths = [4932, 5402] };
        var round = new RoundPlan(new WarmupPlan(PlanPresets.Adaptive, [Rung(5167)]), new VerificationPlan([], 8, 0), state, 1) { ProbeOnly = true };

        var after = RoundFindings.Record(state, round, WarmVerdict(), 5_200, 8021, [Sent(5167, 900)]);

        Assert.Equal(4, after.Round);
        Assert.Contains(5167, after.PaidLengths);
        Assert.Equal([4932, 5402, 5167], after.History.Select(h => h.Length));
        Assert.Contains(after.Notes, n => n.Contains("1 of 1 rungs where a bucket may lie unseen paid a compile", StringComparison.Ordinal));
    }

    private static List<SentLength> Send(IEnumerable<int> lengths, int bucket)
    {
        var compiled = new HashSet<int>();
        return lengths.Select(l => new SentLength(l, compiled.Add((l + bucket - 1) / bucket))).ToList();
    }

    private static WarmupTarget Target() => new() { Name = "t", BaseUrl = new Uri("http://127.0.0.1:8000/"), Model = "m", Limits = new TargetLimits { MaxConcurrency = 8 } };

    private static PlanStep Rung(int length) => new(length, FullPlan.PrefillOutputTokens, 1);

    private static StepResult Sent(int length, double ttftMs) => new()
    {
        Step = Rung(length),
        Requests = 1,
        Succeeded = 1,
        TtftMs = LatencySummary.From([ttftMs]),
        InterTokenMs = LatencySummary.Empty,
        E2eMs = LatencySummary.Empty,
    };

    // Steady TTFT 0.03 ms per token between the two verified lengths: a rung near 160 ms found its bucket compiled.
    private static Verdict WarmVerdict() => new(155, 155, 1.0, 1.2, true)
    {
        ByLength = [new LengthVerdict(4500, 136, 135, 1.0), new LengthVerdict(5800, 175, 174, 1.0)],
        NoiseFloorMs = 10,
    };
}
