using Warmup.Core.Adaptive;
using Warmup.Core.Planning;
using Warmup.Core.ShapeMaps;
using Warmup.Core.Targets;

namespace Warmup.Core.Tests.Adaptive;

public sealed class RoundPlannerTests
{
    private static WarmupTarget Target(int maxConcurrency = 32, long maxTokens = 400_000, params string[] adapters) => new()
    {
        Name = "t",
        BaseUrl = new Uri("http://127.0.0.1:8000/"),
        Model = "m",
        Adapters = adapters,
        Limits = new TargetLimits { MaxConcurrency = maxConcurrency, MaxTokensPerRun = maxTokens },
    };

    private static readonly AdaptiveBudget Budget = new(400_000, 5, TimeSpan.FromMinutes(20));

    // The coarse ladder's short rungs, then rungs every 480 tokens to the longest prompt of an 8 k context: a loop that has
    // learned a 480-token spacing.
    private static readonly List<int> LadderAt480 = [28, 60, 120, 240, 480, 960, 1440, 1920, 2400, 2880, 3360, 3840, 4320, 4800, 5280, 5760, 6240, 6720, 7200, 7680, 8021];

    [Fact]
    public void A_staircase_gives_every_request_its_own_exact_length_so_the_batch_passes_every_size()
    {
        var step = StaircaseBurst.Steps(1, 12, forcesOutputLength: true, []).Single();

        var lengths = Enumerable.Range(0, step.Concurrency).Select(i => StaircaseBurst.OutputTokensFor(step, i)).ToList();

        Assert.True(step.Staircase);
        Assert.Equal(12, step.Concurrency);
        Assert.Equal(Enumerable.Range(1, 12).Select(i => i * StaircaseBurst.TokensPerStair), lengths);
    }

    [Fact]
    public void Without_exact_lengths_the_batch_sizes_get_one_burst_each_and_a_note()
    {
        var notes = new List<string>();

        var steps = StaircaseBurst.Steps(1, 6, forcesOutputLength: false, notes);

        Assert.Equal([2, 3, 4, 5, 6], steps.Select(s => s.Concurrency));
        Assert.All(steps, s => Assert.False(s.Staircase));
        Assert.Contains("cannot force exact output lengths", Assert.Single(notes), StringComparison.Ordinal);
    }

    [Fact]
    public void Round_one_without_a_map_is_the_coarse_ladder_adapters_and_one_staircase()
    {
        var round = RoundPlanner.First(PlanSpec.FromPreset(PlanPresets.Adaptive), Target(16, 400_000, "a1"), 8192, true, null, Budget);

        Assert.Null(round.Stop);
        Assert.Equal(FullPlan.PromptLadder(null, FullPlan.LongestPrompt(8192)).Select(s => s.PromptTokens), round.Plan.Steps.Where(s => s.Concurrency == 1 && s.Adapter is null).Select(s => s.PromptTokens));
        Assert.Single(round.Plan.Steps, s => s.Adapter == "a1");
        Assert.Single(round.Plan.Steps, s => s.Staircase && s.Concurrency == 16);
        Assert.Equal(16, round.Mix.Concurrencies.Max());
        Assert.Equal(VerificationPlan.MixPoints, round.Mix.PromptLengths.Count);
        Assert.True(round.Mix.PromptLengths.Max() > 0.9 * 8192, "the mix reaches the top of the context window");
    }

    [Fact]
    public void Rungs_fill_every_gap_wider_than_the_spacing_and_never_finer_than_64_tokens()
    {
        var rungs = PrefillRungs.Fill([480, 960, 1920], 341, 2000);

        var all = rungs.Concat([480, 960, 1920, 2000]).Append(0).Order().ToList();
        Assert.All(all.Zip(all.Skip(1)), pair => Assert.True(pair.Second - pair.First <= 341, $"{pair.First}..{pair.Second}"));
        Assert.Equal(64, PrefillRungs.SpacingFor(10, null));
        Assert.Equal(170, PrefillRungs.SpacingFor(341, null));
        Assert.Equal(85, PrefillRungs.SpacingFor(400, 170));
        Assert.Equal(100, PrefillRungs.SpacingFor(200, 341));
    }

    [Fact]
    public void Ratio_rungs_keep_neighbours_within_the_ratio_on_a_log_scale_and_never_closer_than_64_tokens()
    {
        var rungs = PrefillRungs.FillRatio([100, 1000], 2, 1000);

        Assert.Equal([178, 316, 562], rungs);
        var all = rungs.Concat([100, 1000]).Order().ToList();
        Assert.All(all.Zip(all.Skip(1)), pair => Assert.True(pair.Second <= pair.First * 2, $"{pair.First}..{pair.Second}"));
        Assert.Empty(PrefillRungs.FillRatio([28, 60], 1.1, 60));
        Assert.Equal(Math.Sqrt(2), PrefillRungs.RatioFor(2, null), 6);
        Assert.Equal(Math.Sqrt(1.5), PrefillRungs.RatioFor(2, 1.5), 6);
    }

    [Fact]
    public void Cold_lengths_in_doubling_gaps_also_refine_the_short_gaps_where_growing_buckets_are_narrow()
    {
        // Buckets growing by half (96, 144, 216, 324, 486, 729, 1094, 1640, ...): the ladder misses (144, 216] and
        // (486, 729], verification finds two longer cold lengths, and their 1,000-token spacing says nothing about those.
        var state = new AdaptiveState
        {
            Round = 1,
            SentLengths = [28, 48, 60, 120, 240, 352, 480, 960, 1003, 1920, 2757, 3840, 4512, 6266, 7680, 8020],
            ColdShapes =
            [
                new ColdShape(ColdShapeKinds.Prefill, 1456, null, 1, 1003, 1920),
                new ColdShape(ColdShapeKinds.Prefill, 2757, null, 1, 1920, 3840),
            ],
        };

        var next = RoundPlanner.Next(Target(32, 2_000_000), 8192, true, state, Budget);
        var lengths = next.Plan.Steps.Select(s => s.PromptTokens).ToList();

        // The lower of the two gaps (917 and 1,920 tokens) sets the spacing, the upper of their ratios (1.91 and 2) the ratio.
        Assert.Equal(458, next.State.Spacing);
        Assert.Equal(Math.Sqrt(2), next.State.SpacingRatio!.Value, 6);
        Assert.Contains(lengths, l => l is > 144 and <= 216);
        Assert.Contains(lengths, l => l is > 486 and <= 729);
        // A few short rungs below the cold lengths, not another ladder.
        Assert.InRange(lengths.Count(l => l < 1003), 2, 4);
    }

    [Fact]
    public void A_map_is_thinned_to_the_fewest_lengths_that_keep_the_spacing()
    {
        var thinned = PrefillRungs.Thin([100, 200, 300, 400, 500, 900], 250);

        Assert.Equal([200, 400, 500, 900], thinned);
    }

    [Fact]
    public void Two_cold_lengths_refine_every_gap_and_a_cold_adapter_is_reloaded_only_once()
    {
        var state = new AdaptiveState
        {
            Round = 1,
            SentLengths = [28, 60, 120, 240, 480, 960, 1920, 2100, 2261, 3840, 7680, 7800, 8021],
            ColdShapes =
            [
                new ColdShape(ColdShapeKinds.Prefill, 2100, null, 1, 1920, 2261),
                new ColdShape(ColdShapeKinds.Prefill, 7800, null, 1, 7680, 8021),
                new ColdShape(ColdShapeKinds.Adapter, null, "a1", 1, 0, 0),
            ],
            RewarmedAdapters = [],
        };

        var second = RoundPlanner.Next(Target(8, 400_000, "a1"), 8192, true, state, Budget);
        var third = RoundPlanner.Next(Target(8, 400_000, "a1"), 8192, true, second.State with { Round = 2, ColdShapes = [new ColdShape(ColdShapeKinds.Adapter, null, "a1", 2, 0, 0)] }, Budget);

        Assert.Equal(170, second.State.Spacing);
        var lengths = second.Plan.Steps.Where(s => s.Adapter is null).Select(s => s.PromptTokens).Concat(state.SentLengths).Order().ToList();
        Assert.All(lengths.Zip(lengths.Skip(1)), pair => Assert.True(pair.Second - pair.First <= 170));
        Assert.Single(second.Plan.Steps, s => s.Adapter == "a1");
        Assert.Equal(LoopStops.NothingToRefine, third.Stop);
        Assert.Contains(third.State.Notes, n => n.Contains("holds fewer adapters at once", StringComparison.Ordinal));
    }

    [Fact]
    public void A_cold_length_with_nothing_left_to_add_is_verified_again_not_given_up()
    {
        // Rungs every 64 tokens already (the finest the loop sends): a length still slow on first use cannot be refined.
        var state = new AdaptiveState
        {
            Round = 1,
            Spacing = 64,
            SentLengths = [.. Enumerable.Range(1, 125).Select(i => i * 64), 3861, FullPlan.LongestPrompt(8192)],
            ColdShapes = [new ColdShape(ColdShapeKinds.Prefill, 3861, null, 1, 3840, 3904)],
        };

        var next = RoundPlanner.Next(Target(), 8192, true, state, Budget);

        Assert.Null(next.Stop);
        Assert.Empty(next.Plan.Steps);
        Assert.NotEmpty(next.Mix.PromptLengths);
        Assert.Contains(next.State.Notes, n => n.Contains("verifying again with fresh lengths", StringComparison.Ordinal));
    }

    [Fact]
    public void The_token_budget_trims_a_round_and_stops_the_loop_when_even_verification_does_not_fit()
    {
        var state = new AdaptiveState
        {
            Round = 1,
            TokensSpent = 200_000,
            SentLengths = [28, 60, 120, 240, 480, 960, 1920, 2800, 2900, 3000, 3840, 4900, 5000, 5100, 7680],
            ColdShapes = [new ColdShape(ColdShapeKinds.Prefill, 2900, null, 1, 2800, 3000), new ColdShape(ColdShapeKinds.Prefill, 5000, null, 1, 4900, 5100)],
        };

        var trimmed = RoundPlanner.Next(Target(), 8192, true, state, Budget);
        var stopped = RoundPlanner.Next(Target(), 8192, true, state with { TokensSpent = 390_000 }, Budget);

        Assert.Null(trimmed.Stop);
        Assert.Contains(trimmed.State.Notes, n => n.Contains("steps left out to stay within", StringComparison.Ordinal));
        Assert.NotEmpty(trimmed.Plan.Steps);
        Assert.True(trimmed.Plan.Steps.Sum(s => (long)s.Concurrency * (s.PromptTokens + s.MaxOutputTokens)) + trimmed.Mix.TokenCost <= 200_000);
        // The rungs kept are the ones nearest the cold length.
        var all = PrefillRungs.Fill(state.SentLengths, trimmed.State.Spacing!.Value, FullPlan.LongestPrompt(8192));
        var kept = trimmed.Plan.Steps.Select(s => s.PromptTokens).ToList();
        var dropped = all.Except(kept).ToList();
        Assert.NotEmpty(dropped);
        static int Distance(int l) => Math.Min(Math.Abs(l - 2900), Math.Abs(l - 5000));
        Assert.True(kept.Max(Distance) <= dropped.Min(Distance), $"kept {kept.Min()}..{kept.Max()}");
        Assert.Equal(LoopStops.Tokens, stopped.Stop);
        Assert.Empty(stopped.Plan.Steps);
    }

    [Fact]
    public void A_learned_map_starts_round_one_from_its_lengths()
    {
        var map = new ShapeMap("t", "m", 8192, [300, 600, 900], 300, 16, [19, 20, 21], [], DateTimeOffset.UnixEpoch, 2);

        var round = RoundPlanner.First(PlanSpec.FromPreset(PlanPresets.Adaptive), Target(32), 8192, true, map, Budget);

        Assert.True(round.State.FromShapeMap);
        Assert.Equal([300, 600, 900], round.Plan.Steps.Where(s => s.Concurrency == 1).Select(s => s.PromptTokens));
        // The map's batch sizes, then the KV-footprint burst at the top concurrency (every first round has it).
        Assert.Equal([19, 20, 21, 32], round.Plan.Steps.Where(s => !s.Staircase && s.Concurrency > 1).Select(s => s.Concurrency));
        Assert.True(map.Fits("m", 8192));
        Assert.False(map.Fits("m", 4096));
        Assert.False(map.Fits("other", 8192));
    }

    [Fact]
    public void The_mix_takes_one_steady_sample_of_its_long_lengths_and_three_of_the_rest()
    {
        var mix = RoundPlanner.First(PlanSpec.FromPreset(PlanPresets.Adaptive), Target(32), 8192, true, null, Budget).Mix;
        var longest = FullPlan.LongestPrompt(8192);

        Assert.Equal(VerificationPlan.MixPoints, mix.PromptLengths.Count);
        // One length in the top eighth of the context, not two: the evenly spaced half stops short of the top.
        Assert.Single(mix.PromptLengths, l => l > longest * 7 / 8);
        Assert.Contains(mix.PromptLengths, l => l < longest / 4);
        Assert.All(mix.PromptLengths, l => Assert.Equal(l >= longest / 4 ? 1 : 3, mix.SteadyRepeatsFor(l, null)));
        Assert.Equal(3, mix.SteadyRepeatsFor(longest, "an-adapter"));
        var expected = mix.PromptLengths.Sum(l => (l + 8L) * (1 + mix.SteadyRepeatsFor(l, null)))
            + (mix.Concurrencies.Sum(c => c * (32L + 8)) * 4);
        Assert.Equal(expected, mix.TokenCost);
        Assert.Equal(mix.PromptLengths.Sum(l => 1 + mix.SteadyRepeatsFor(l, null)) + (mix.Concurrencies.Sum() * 4), mix.Requests);
    }

    [Fact]
    public void A_refinement_round_verifies_around_what_was_cold_and_half_a_fresh_sample()
    {
        var state = new AdaptiveState
        {
            Round = 1,
            SentLengths = [28, 60, 120, 240, 480, 960, 1920, 3840, 7680, 8021],
            SentConcurrencies = [.. Enumerable.Range(1, 32)],
            ColdShapes =
            [
                new ColdShape(ColdShapeKinds.Prefill, 2900, null, 1, 1920, 3840),
                new ColdShape(ColdShapeKinds.Batch, 12, null, 1, 11, 13),
            ],
        };

        var next = RoundPlanner.Next(Target(32, 2_000_000), 8192, true, state, Budget);
        var full = VerificationPlan.UserLikeMix(next.Plan, 8192, [], 32, 1);

        Assert.Null(next.Stop);
        // A fresh length inside the cold region, other than the cold one (which its own verification compiled).
        Assert.Contains(next.Mix.PromptLengths, l => l > 1920 && l < 3840 && l != 2900);
        Assert.Contains(full.PromptLengths.Max(), next.Mix.PromptLengths);
        Assert.True(next.Mix.PromptLengths.Count < full.PromptLengths.Count, string.Join(", ", next.Mix.PromptLengths));
        Assert.DoesNotContain(next.Mix.PromptLengths, l => state.SentLengths.Contains(l) || next.Plan.Steps.Any(s => s.PromptTokens == l));
        // The cold batch size again, and the top; not the whole log-spaced range.
        Assert.Equal([12, 32], next.Mix.Concurrencies);
        Assert.True(next.Mix.TokenCost * 3 < full.TokenCost * 2, $"{next.Mix.TokenCost} against {full.TokenCost} for the whole mix");
    }

    [Fact]
    public void A_learned_maps_first_round_verifies_half_the_lengths_with_the_longest_and_every_burst()
    {
        var map = new ShapeMap("t", "m", 8192, [480, 960, 1440], 480, 32, [], [], DateTimeOffset.UnixEpoch, 2);

        var withMap = RoundPlanner.First(PlanSpec.FromPreset(PlanPresets.Adaptive), Target(32), 8192, true, map, Budget);
        var without = RoundPlanner.First(PlanSpec.FromPreset(PlanPresets.Adaptive), Target(32), 8192, true, null, Budget);

        // The map's own sample of the mix (its second warm-up verifies other lengths than the first), halved.
        var sample = VerificationPlan.UserLikeMix(withMap.Plan, 8192, [], 32, 0, earlierRuns: map.Runs);

        Assert.Equal(VerificationPlan.MixPoints / 2, withMap.Mix.PromptLengths.Count);
        Assert.Equal(sample.PromptLengths.Max(), withMap.Mix.PromptLengths.Max());
        Assert.All(withMap.Mix.PromptLengths, l => Assert.Contains(l, sample.PromptLengths));
        Assert.Equal(without.Mix.Concurrencies, withMap.Mix.Concurrencies);
        Assert.True(withMap.Mix.TokenCost < without.Mix.TokenCost);
    }

    [Fact]
    public void The_mix_steps_aside_from_a_rung_at_the_longest_prompt_downwards_so_it_still_fits_the_window()
    {
        var longest = FullPlan.LongestPrompt(8192);
        // A refinement above every sent length ends at the longest prompt exactly.
        var plan = new WarmupPlan(PlanPresets.Adaptive, [new PlanStep(longest, FullPlan.PrefillOutputTokens, 1)]);

        var mix = VerificationPlan.UserLikeMix(plan, 8192, [], 32, 0);

        Assert.Equal(longest - 1, mix.PromptLengths.Max());
    }

    [Fact]
    public void The_kv_footprint_burst_holds_a_few_context_windows_however_high_the_concurrency_limit()
    {
        var longest = FullPlan.LongestPrompt(8192);

        var kv = new[] { 8, 32, 64, 256 }.Select(limit => RoundPlanner.First(PlanSpec.FromPreset(PlanPresets.Adaptive), Target(limit, 2_000_000), 8192, true, null, Budget)
            .Plan.Steps.Single(s => !s.Staircase && s.Concurrency == limit)).ToList();

        Assert.All(kv, step => Assert.InRange((long)step.Concurrency * step.PromptTokens, longest / 2, RoundPlanner.KvFootprintContexts * (long)longest));
        Assert.All(kv, step => Assert.InRange(step.PromptTokens, VerificationPlan.BurstPromptTokens, longest / 8));
        Assert.Equal(longest / 8, kv[1].PromptTokens);
        Assert.True(kv[3].PromptTokens < kv[2].PromptTokens);
    }

    [Fact]
    public void A_map_learned_when_a_budget_trimmed_the_last_refinement_fills_the_gaps_it_left()
    {
        var state = new AdaptiveState
        {
            Round = 2,
            Spacing = 480,
            SentLengths = [28, 60, 120, 240, 480, 960, 1440, 1920, 3840, 7680, 8021],
        };

        var map = ShapeMapLearning.From(Target(32), 8192, state, warm: false, DateTimeOffset.UnixEpoch);

        var points = map.PromptLengths.Prepend(0).Order().ToList();
        Assert.All(points.Zip(points.Skip(1)), pair => Assert.True(pair.Second - pair.First <= 480, $"{pair.First}..{pair.Second}"));
        Assert.Equal(8021, map.PromptLengths.Max());
        Assert.Null(map.RoundsToWarm);
    }

    [Fact]
    public void One_cold_length_refines_only_its_own_gap_and_sets_no_spacing()
    {
        var state = new AdaptiveState
        {
            Round = 1,
            SentLengths = [28, 60, 120, 240, 480, 960, 1920, 2100, 2261, 3840, 7680, 8021],
            ColdShapes = [new ColdShape(ColdShapeKinds.Prefill, 2100, null, 1, 1920, 2261)],
        };

        var next = RoundPlanner.Next(Target(32, 2_000_000), 8192, true, state, Budget);
        // A loop that ended before warmth (no evidence of what paid): the map keeps what was sent around the cold length.
        var map = ShapeMapLearning.From(Target(32), 8192, next.State with { SentLengths = [.. state.SentLengths, .. next.Plan.Steps.Select(s => s.PromptTokens)] }, false, DateTimeOffset.UnixEpoch);

        Assert.Null(next.State.Spacing);
        Assert.NotEmpty(next.Plan.Steps);
        Assert.All(next.Plan.Steps, s => Assert.InRange(s.PromptTokens, 1921, 2260));
        // The map keeps the coarse ladder and what was sent in the cold region, so the next run touches that bucket too.
        Assert.Contains(2100, map.PromptLengths);
        Assert.Contains(next.Plan.Steps[0].PromptTokens, map.PromptLengths);
        Assert.Superset(FullPlan.PromptLadder(null, FullPlan.LongestPrompt(8192)).Select(s => s.PromptTokens).ToHashSet(), map.PromptLengths.ToHashSet());
    }

    [Fact]
    public void Once_a_spacing_is_known_one_cold_length_refines_only_its_own_gap_and_two_halve_the_spacing()
    {
        var one = new AdaptiveState
        {
            Round = 2,
            Spacing = 480,
            SentLengths = [.. LadderAt480, 2600],
            ColdShapes = [new ColdShape(ColdShapeKinds.Prefill, 2600, null, 2, 2400, 2880)],
        };
        var two = one with
        {
            SentLengths = [.. LadderAt480, 2600, 5000],
            ColdShapes = [.. one.ColdShapes, new ColdShape(ColdShapeKinds.Prefill, 5000, null, 2, 4800, 5280)],
        };

        var local = RoundPlanner.Next(Target(32, 2_000_000), 8192, true, one, Budget);
        var global = RoundPlanner.Next(Target(32, 2_000_000), 8192, true, two, Budget);

        Assert.Equal(480, local.State.Spacing);
        Assert.All(local.Plan.Steps, s => Assert.InRange(s.PromptTokens, 2401, 2879));
        Assert.NotEmpty(local.Plan.Steps);
        Assert.Equal(240, global.State.Spacing);
        Assert.Contains(global.Plan.Steps, s => s.PromptTokens < 2000);
        Assert.Contains(global.Plan.Steps, s => s.PromptTokens > 6000);
    }

    [Fact]
    public void Of_several_cold_gaps_the_second_narrowest_sets_the_spacing_so_one_noisy_tiny_gap_does_not()
    {
        var state = new AdaptiveState
        {
            Round = 1,
            SentLengths = [28, 60, 120, 240, 480, 960, 1003, 1067, 1920, 2757, 3840, 4512, 6266, 7680, 8021],
            ColdShapes =
            [
                new ColdShape(ColdShapeKinds.Prefill, 1040, null, 1, 1003, 1067),
                new ColdShape(ColdShapeKinds.Prefill, 2757, null, 1, 1920, 3840),
                new ColdShape(ColdShapeKinds.Prefill, 4512, null, 1, 3840, 6266),
                new ColdShape(ColdShapeKinds.Prefill, 1456, null, 1, 1067, 1920),
            ],
        };

        var next = RoundPlanner.Next(Target(32, 2_000_000), 8192, true, state, Budget);

        // Gaps of 64, 853, 1,920 and 2,426 tokens: half the 853, not 64 (the narrowest) nor 960 (a median).
        Assert.Equal(426, next.State.Spacing);
    }

    [Fact]
    public void One_cold_length_after_an_earlier_one_the_spacing_missed_refines_every_gap()
    {
        var state = new AdaptiveState
        {
            Round = 3,
            Spacing = 480,
            SentLengths = [.. LadderAt480, 2600, 5000],
            ColdShapes =
            [
                new ColdShape(ColdShapeKinds.Prefill, 5000, null, 2, 4800, 5280) { WarmedInRound = 3 },
                new ColdShape(ColdShapeKinds.Prefill, 2600, null, 3, 2400, 2880),
            ],
        };

        var next = RoundPlanner.Next(Target(32, 2_000_000), 8192, true, state, Budget);

        Assert.Equal(240, next.State.Spacing);
        Assert.Contains(next.Plan.Steps, s => s.PromptTokens < 2000);
        Assert.Contains(next.Plan.Steps, s => s.PromptTokens > 6000);
    }

    [Fact]
    public void A_cold_length_above_every_sent_length_gets_rungs_up_to_the_longest_prompt_and_sets_no_spacing()
    {
        var longest = FullPlan.LongestPrompt(8192);
        var state = new AdaptiveState
        {
            Round = 1,
            SentLengths = [28, 60, 120, 240, 480, 960, 1920, 3840, 7680, longest],
            ColdShapes = [new ColdShape(ColdShapeKinds.Prefill, longest, null, 1, 7680, longest)],
        };

        var next = RoundPlanner.Next(Target(32, 2_000_000), 8192, true, state, Budget);

        Assert.Null(next.State.Spacing);
        Assert.NotEmpty(next.Plan.Steps);
        Assert.All(next.Plan.Steps, s => Assert.InRange(s.PromptTokens, 7681, longest - 1));
    }

    [Fact]
    public void The_mix_probes_adapters_at_its_lower_quartile_length_with_three_steady_samples()
    {
        var mix = RoundPlanner.First(PlanSpec.FromPreset(PlanPresets.Adaptive), Target(32, 400_000, "a1", "a2"), 8192, true, null, Budget).Mix;

        Assert.Equal(mix.PromptLengths[mix.PromptLengths.Count / 4], mix.AdapterPromptLength);
        Assert.True(mix.AdapterPromptLength < FullPlan.LongestPrompt(8192) / 4);
        Assert.Equal(mix.PromptLengths.Sum(l => 1 + mix.SteadyRepeatsFor(l, null)) + (2 * 4) + (mix.Concurrencies.Sum() * 4), mix.Requests);
    }

    [Fact]
    public void One_cold_length_in_a_wide_gap_sets_a_coarse_spacing_for_the_whole_context()
    {
        var state = new AdaptiveState
        {
            Round = 1,
            SentLengths = [28, 60, 120, 240, 480, 960, 1920, 2757, 3840, 7680, 8021],
            ColdShapes = [new ColdShape(ColdShapeKinds.Prefill, 2757, null, 1, 1920, 3840)],
        };

        var next = RoundPlanner.Next(Target(32, 2_000_000), 8192, true, state, Budget);

        Assert.Equal(960, next.State.Spacing);
        Assert.InRange(next.Plan.Steps.Count, 1, RoundPlanner.MaxRungsOnOneFinding);
        Assert.Contains(next.Plan.Steps, s => s.PromptTokens > 3840);
    }
}
