using Warmup.Core.Adaptive;
using Warmup.Core.Analysis;
using Warmup.Core.Planning;
using Warmup.Core.ShapeMaps;
using Warmup.Core.Targets;

namespace Warmup.Core.Tests.Adaptive;

/// <summary>Which warm-up requests paid a cold path, and so what the learned shape map keeps.</summary>
public sealed class PaidColdPathsTests
{
    // Steady TTFT rises with the prompt: 20 ms at 100 tokens, 120 ms at 4,000 (about 0.026 ms per token in between).
    private static Verdict Verdict(double noiseFloorMs = 10, params int[] coldLengths) => new(25, 70, 1.1, 1.2, coldLengths.Length == 0)
    {
        ByLength =
        [
            new LengthVerdict(100, 21, 20, 1.05),
            new LengthVerdict(2000, 72, 68.7, 1.05),
            new LengthVerdict(4000, 125, 120, 1.04),
            .. coldLengths.Select(l => new LengthVerdict(l, 900, 49, 18.4) { IsCold = true }),
        ],
        NoiseFloorMs = noiseFloorMs,
    };

    private static StepResult Sent(PlanStep step, double? ttftMs) => new()
    {
        Step = step,
        Requests = step.Concurrency,
        Succeeded = ttftMs is null ? 0 : step.Concurrency,
        TtftMs = ttftMs is { } ms ? LatencySummary.From(Enumerable.Repeat(ms, step.Concurrency)) : LatencySummary.Empty,
        InterTokenMs = LatencySummary.Empty,
        E2eMs = LatencySummary.Empty,
    };

    private static StepResult Rung(int length, double? ttftMs) => Sent(new PlanStep(length, FullPlan.PrefillOutputTokens, 1), ttftMs);

    [Fact]
    public void A_rung_that_compiled_its_bucket_is_kept_and_one_that_found_it_compiled_is_dropped()
    {
        IReadOnlyList<StepResult> steps =
        [
            Rung(500, 400), // expected ~30 ms: a compile
            Rung(700, 36), // expected ~35 ms: its bucket was already compiled
            Rung(3000, 96), // expected ~94 ms
            Rung(3500, 700), // a compile
        ];

        Assert.Equal([500, 3500], PaidColdPaths.Lengths(steps, Verdict()));
    }

    [Fact]
    public void A_length_verification_found_cold_is_kept_although_no_rung_was_sent_there()
    {
        // Verification's own first request compiled that bucket, so no rung of the next run would otherwise touch it.
        Assert.Equal([1234, 3500], PaidColdPaths.Lengths([Rung(3500, 700), Rung(3000, 96)], Verdict(coldLengths: 1234)));
    }

    [Fact]
    public void A_verification_length_whose_first_request_was_slow_as_measured_is_kept_even_when_the_verdict_excused_it()
    {
        // The verdict took a client stall off 1,500's first request (not cold there); as measured it was 250 ms over steady.
        var verdict = Verdict() with { ByLength = [.. Verdict().ByLength, new LengthVerdict(1500, 305, 55, 5.5), new LengthVerdict(3000, 97, 94, 1.03)] };

        Assert.Equal([1500], PaidColdPaths.Lengths([], verdict));
    }

    [Fact]
    public void A_rung_paid_when_over_the_threshold_and_beyond_the_verdicts_smallest_noise_allowance()
    {
        // 1.3x its expected 30 ms but only 9 ms over it: jitter under the 10 ms floor. 48 ms: 18 ms over, 1.6x.
        Assert.Empty(PaidColdPaths.Lengths([Rung(500, 39)], Verdict()));
        Assert.Equal([500], PaidColdPaths.Lengths([Rung(500, 48)], Verdict()));
        // The run's noise floor, widened by a steady hiccup so the verdict never cries wolf, does not excuse it: a paying
        // rung dropped leaves a bucket cold, a warm rung kept costs one request.
        Assert.Equal([500], PaidColdPaths.Lengths([Rung(500, 48)], Verdict(noiseFloorMs: 70)));
        // 16 ms over a steady 94 ms is within the 1.2x threshold: a long prompt's proportional spread, not a compile.
        Assert.Empty(PaidColdPaths.Lengths([Rung(3000, 110)], Verdict()));
    }

    [Fact]
    public void Without_a_usable_steady_reference_a_rung_is_kept()
    {
        IReadOnlyList<StepResult> steps = [Rung(60, 20), Rung(2000, 69), Rung(7000, 190), Rung(3000, null)];

        // Below and above the verified range (no extrapolation), and a rung that failed: kept. Inside and steady: dropped.
        Assert.Equal([60, 3000, 7000], PaidColdPaths.Lengths(steps, Verdict()));
        // Every verification request failed: nothing to compare with, so every rung is kept.
        var nothing = new Verdict(null, null, null, 1.2, false, "every verification request failed");
        Assert.Equal([60, 2000, 3000, 7000], PaidColdPaths.Lengths(steps, nothing));
    }

    [Fact]
    public void Adapters_staircases_and_bursts_are_not_prompt_rungs()
    {
        IReadOnlyList<StepResult> steps =
        [
            Sent(new PlanStep(FullPlan.AdapterPromptTokens, FullPlan.PrefillOutputTokens, 1, "sql-lora"), 900),
            Sent(new PlanStep(StaircaseBurst.PromptTokens, 64, 32) { Staircase = true }, 900),
            Sent(new PlanStep(StaircaseBurst.PromptTokens, StaircaseBurst.FallbackOutputTokens, 12), 900),
        ];

        Assert.Empty(PaidColdPaths.Lengths(steps, Verdict()));
    }

    [Fact]
    public void The_kv_footprint_burst_is_kept_only_when_it_waited_beyond_the_steady_prefill_of_its_tokens()
    {
        // 32 prompts of 1,000 tokens: 32,000 tokens at the longest verified length's 0.03 ms per token = 960 ms.
        var kv = new PlanStep(1000, FullPlan.PrefillOutputTokens, 32);

        Assert.False(PaidColdPaths.KvFootprintPaid([Sent(kv, 1000)], kv, Verdict()));
        Assert.True(PaidColdPaths.KvFootprintPaid([Sent(kv, 1900)], kv, Verdict()));
        // Not judged: no result of it, it failed, or nothing steady to compare with. Kept.
        Assert.True(PaidColdPaths.KvFootprintPaid([], kv, Verdict()));
        Assert.True(PaidColdPaths.KvFootprintPaid([Sent(kv, null)], kv, Verdict()));
        Assert.True(PaidColdPaths.KvFootprintPaid([Sent(kv, 1000)], kv, new Verdict(null, null, null, 1.2, false)));
    }

    [Fact]
    public void A_round_records_what_paid_and_the_map_of_a_warm_loop_keeps_only_that()
    {
        var target = new WarmupTarget { Name = "t", BaseUrl = new Uri("http://127.0.0.1:8000/"), Model = "m", Limits = new TargetLimits { MaxConcurrency = 32 } };
        var budget = new AdaptiveBudget(2_000_000, 5, TimeSpan.FromMinutes(20));
        var round = RoundPlanner.First(PlanSpec.FromPreset(PlanPresets.Adaptive), target, 8192, true, null, budget);
        var kv = Assert.IsType<PlanStep>(round.KvFootprintStep);
        IReadOnlyList<StepResult> steps = [Rung(500, 400), Rung(700, 36), Rung(3500, 700), Sent(kv, 10)];

        var state = RoundFindings.Record(round.State, round, Verdict(coldLengths: 1234), 50_000, 8021, steps);
        var map = ShapeMapLearning.From(target, 8192, state, warm: true, DateTimeOffset.UnixEpoch);

        Assert.Equal([500, 1234, 3500], state.PaidLengths);
        Assert.False(state.KvFootprintPaid);
        // Replayed at the middle of their 64-token cells, away from any bucket edge on a multiple of 64.
        Assert.Equal([480, 1248, 3488], map.PromptLengths);
        Assert.False(map.KvFootprint);
        Assert.Equal(32, map.StaircaseTop);
    }

    [Fact]
    public void A_rung_counts_at_the_length_it_really_sent_and_is_replayed_at_the_middle_of_its_64_token_cell()
    {
        // Asked for 7,680 tokens (an edge of 512-token buckets), the prompt had 7,676.
        var rung = Rung(7680, 900) with { PromptTokens = 7676 };

        Assert.Equal([7676], PaidColdPaths.Lengths([rung], Verdict() with { ByLength = [.. Verdict().ByLength, new LengthVerdict(8000, 240, 240, 1)] }));
        Assert.Equal(7648, PrefillRungs.CellCentre(7676, 8021));
        Assert.Equal(7648, PrefillRungs.CellCentre(7680, 8021));
        Assert.Equal(7712, PrefillRungs.CellCentre(7681, 8021));
        // Inside the first cell, as sent: doubling buckets have an edge at 32.
        Assert.Equal(28, PrefillRungs.CellCentre(28, 8021));
        Assert.Equal(60, PrefillRungs.CellCentre(60, 8021));
        Assert.Equal(96, PrefillRungs.CellCentre(120, 8021));
        Assert.Equal(8021, PrefillRungs.CellCentre(8021, 8021));
    }

    [Fact]
    public void A_paid_length_with_another_paid_one_within_a_cell_on_the_middles_side_is_replayed_as_sent()
    {
        // 987 compiled (640, 1000] and 1,005 compiled (1000, 1100]: the middle of 1,005's cell (992) is across that edge.
        Assert.Equal(1005, PrefillRungs.ReplayLength(1005, [987, 1005], 8021));
        Assert.Equal(987, PrefillRungs.ReplayLength(987, [987, 1005], 8021));
        // The other paid length on the far side, or more than a cell away: the middle of the cell, as before.
        Assert.Equal(992, PrefillRungs.ReplayLength(1005, [900, 1005, 1030], 8021));
        Assert.Equal(7648, PrefillRungs.ReplayLength(7676, [7600, 7676], 8021));
        Assert.Equal(7648, PrefillRungs.ReplayLength(7680, [], 8021));
    }

    [Fact]
    public void A_map_run_on_a_server_that_was_already_warm_keeps_the_maps_lengths()
    {
        var target = new WarmupTarget { Name = "t", BaseUrl = new Uri("http://127.0.0.1:8000/"), Model = "m" };
        var fromMap = new AdaptiveState { Round = 1, FromShapeMap = true, MapLengths = [500, 3500], KvFootprintPaid = false };

        // Nothing paid: the server was warm before the run and says nothing about its buckets.
        var kept = ShapeMapLearning.From(target, 8192, fromMap, warm: true, DateTimeOffset.UnixEpoch);
        // Something paid (a restarted server): what paid this time replaces the map's lengths.
        var relearned = ShapeMapLearning.From(target, 8192, fromMap with { PaidLengths = [500, 2100, 3500] }, warm: true, DateTimeOffset.UnixEpoch);
        // No map and nothing paid: the coarse ladder next time (an empty list).
        var ladder = ShapeMapLearning.From(target, 8192, new AdaptiveState { Round = 1 }, warm: true, DateTimeOffset.UnixEpoch);

        Assert.Equal([500, 3500], kept.PromptLengths);
        Assert.False(kept.KvFootprint);
        Assert.Equal([480, 2080, 3488], relearned.PromptLengths);
        Assert.Empty(ladder.PromptLengths);
        Assert.True(ladder.KvFootprint);
    }

    [Fact]
    public void Round_one_from_a_map_whose_kv_burst_paid_nothing_leaves_it_out_and_says_so()
    {
        var target = new WarmupTarget { Name = "t", BaseUrl = new Uri("http://127.0.0.1:8000/"), Model = "m", Limits = new TargetLimits { MaxConcurrency = 32, MaxTokensPerRun = 2_000_000 } };
        var budget = new AdaptiveBudget(2_000_000, 5, TimeSpan.FromMinutes(20));
        var map = new ShapeMap("t", "m", 8192, [500, 3500], null, 32, [], [], DateTimeOffset.UnixEpoch, 1);

        var without = RoundPlanner.First(PlanSpec.FromPreset(PlanPresets.Adaptive), target, 8192, true, map with { KvFootprint = false }, budget);
        var with = RoundPlanner.First(PlanSpec.FromPreset(PlanPresets.Adaptive), target, 8192, true, map, budget);

        Assert.Equal([500, 3500], without.Plan.Steps.Where(s => s.Concurrency == 1).Select(s => s.PromptTokens));
        Assert.Null(without.KvFootprintStep);
        Assert.DoesNotContain(without.Plan.Steps, s => !s.Staircase && s.Concurrency > 1);
        Assert.Contains(without.State.Notes, n => n.Contains("no KV-footprint burst", StringComparison.Ordinal));
        Assert.False(without.State.KvFootprintPaid);
        Assert.Single(without.Plan.Steps, s => s.Staircase && s.Concurrency == 32);
        Assert.Contains(Assert.IsType<PlanStep>(with.KvFootprintStep), with.Plan.Steps);
        Assert.Equal(1, with.MaxInFlight);
    }
}
