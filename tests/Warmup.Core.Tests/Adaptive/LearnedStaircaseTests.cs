using Warmup.Core.Adaptive;
using Warmup.Core.Analysis;
using Warmup.Core.Planning;
using Warmup.Core.ShapeMaps;
using Warmup.Core.Targets;

namespace Warmup.Core.Tests.Adaptive;

/// <summary>
/// The batch sizes a staircase stalled on travel from the round's results into the loop's state and the shape map, and
/// the next warm-up holds only those, unless verification shows they were not all.
/// </summary>
public sealed class LearnedStaircaseTests
{
    private static readonly AdaptiveBudget Budget = new(2_000_000, 5, TimeSpan.FromMinutes(20));

    private static WarmupTarget Target(int maxConcurrency) => new()
    {
        Name = "t",
        BaseUrl = new Uri("http://127.0.0.1:8000/"),
        Model = "m",
        Limits = new TargetLimits { MaxConcurrency = maxConcurrency, MaxTokensPerRun = 2_000_000 },
    };

    private static ShapeMap Map(IReadOnlyList<int>? stalled, int staircaseTop = 64)
        => new("t", "m", 8192, [], null, staircaseTop, [], [], DateTimeOffset.UnixEpoch, 1) { StalledBatchSizes = stalled };

    private static PlanStep Staircase(RoundPlan round) => Assert.Single(round.Plan.Steps, s => s.Staircase);

    [Fact]
    public void A_map_with_stalled_sizes_makes_round_one_hold_only_those()
    {
        var round = RoundPlanner.First(PlanSpec.FromPreset(PlanPresets.Adaptive), Target(64), 8192, true, Map([1, 2, 4, 8, 16, 32, 64]), Budget);

        var levels = Assert.IsAssignableFrom<IReadOnlyList<int>>(Staircase(round).Levels);
        Assert.Equal([64, 63, 32, 31, 16, 15, 8, 7, 4, 3, 2, 1], levels.GroupBy(size => size).Where(g => g.Count() > 1).Select(g => g.Key));
        Assert.Equal(64, levels.Distinct().Count());
        Assert.Contains(round.State.Notes, n => n.Contains("stalled on (1, 2, 4, 8, 16, 32, 64)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false, 64)]
    [InlineData(true, 32)]
    public void A_map_without_stalls_or_learned_below_todays_limit_passes_every_size(bool learned, int staircaseTop)
    {
        var round = RoundPlanner.First(PlanSpec.FromPreset(PlanPresets.Adaptive), Target(64), 8192, true, Map(learned ? [4] : null, staircaseTop), Budget);

        Assert.Null(Staircase(round).Levels);
    }

    [Fact]
    public void A_batch_size_found_cold_after_a_learned_staircase_gets_bursts_around_it_now_and_from_the_map()
    {
        var first = RoundPlanner.First(PlanSpec.FromPreset(PlanPresets.Adaptive), Target(64), 8192, true, Map([8, 64]), Budget);
        var verdict = new Verdict(25, 24, 1.0, 1.2, false) { ByConcurrency = [new BurstVerdict(20, 90, 30, 3) { IsCold = true }] };
        var state = RoundFindings.Record(first.State, first, verdict, 1000, RoundPlanner.Longest(8192));

        var next = RoundPlanner.Next(Target(64), 8192, true, state, Budget);

        Assert.Equal([18, 19, 20, 21, 22], next.Plan.Steps.Where(s => s.Concurrency > 1).Select(s => s.Concurrency));
        var map = ShapeMapLearning.From(Target(64), 8192, state, warm: false, DateTimeOffset.UnixEpoch);
        Assert.Equal([18, 19, 20, 21, 22], map.BatchSizes);
        // The stalls stay: the next learned staircase still passes every size once, and the map's bursts cover this one.
        var again = RoundPlanner.First(PlanSpec.FromPreset(PlanPresets.Adaptive), Target(64), 8192, true, map with { StalledBatchSizes = [8, 64] }, Budget);
        Assert.NotNull(Staircase(again).Levels);
        Assert.Equal([18, 19, 20, 21, 22], again.Plan.Steps.Where(s => !s.Staircase && s.Concurrency is > 1 and < 64).Select(s => s.Concurrency));
    }

    [Fact]
    public void The_sizes_every_staircase_of_the_run_stalled_on_are_what_the_map_keeps()
    {
        var first = RoundPlanner.First(PlanSpec.FromPreset(PlanPresets.Adaptive), Target(64), 8192, true, null, Budget);
        var staircase = Staircase(first);
        var steps = new[]
        {
            Result(staircase, stalled: [1, 2, 4, 8, 16, 24, 64]),
            Result(new PlanStep(500, 8, 1), stalled: null),
        };

        var state = RoundFindings.Record(first.State, first, new Verdict(25, 24, 1.0, 1.2, true), 1000, RoundPlanner.Longest(8192), steps);
        var map = ShapeMapLearning.From(Target(64), 8192, state, warm: true, DateTimeOffset.UnixEpoch);

        Assert.Equal([1, 2, 4, 8, 16, 24, 64], state.StalledBatchSizes);
        Assert.Equal([1, 2, 4, 8, 16, 24, 64], map.StalledBatchSizes);
        Assert.Equal(64, map.StaircaseTop);
    }

    [Fact]
    public void A_run_from_a_map_on_a_server_that_was_already_warm_keeps_the_maps_stalls()
    {
        var first = RoundPlanner.First(PlanSpec.FromPreset(PlanPresets.Adaptive), Target(64), 8192, true, Map([8, 24, 64]), Budget);

        var state = RoundFindings.Record(first.State, first, new Verdict(25, 24, 1.0, 1.2, true), 1000, RoundPlanner.Longest(8192), [Result(Staircase(first), stalled: [])]);
        var map = ShapeMapLearning.From(Target(64), 8192, state, warm: true, DateTimeOffset.UnixEpoch);

        Assert.Equal([8, 24, 64], map.StalledBatchSizes);
    }

    [Fact]
    public void A_round_without_a_measured_staircase_keeps_what_was_known()
    {
        var first = RoundPlanner.First(PlanSpec.FromPreset(PlanPresets.Adaptive), Target(64), 8192, true, null, Budget);

        var state = RoundFindings.Record(first.State, first, new Verdict(25, 24, 1.0, 1.2, true), 1000, RoundPlanner.Longest(8192), []);

        Assert.Null(state.StalledBatchSizes);
    }

    private static StepResult Result(PlanStep step, IReadOnlyList<int>? stalled) => new()
    {
        Step = step,
        Requests = step.Concurrency,
        Succeeded = step.Concurrency,
        TtftMs = LatencySummary.From(Enumerable.Repeat(20.0, step.Concurrency)),
        InterTokenMs = LatencySummary.Empty,
        E2eMs = LatencySummary.Empty,
        StalledBatchSizes = stalled,
    };
}
