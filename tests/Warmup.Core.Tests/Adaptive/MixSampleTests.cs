using Warmup.Core.Adaptive;
using Warmup.Core.Planning;
using Warmup.Core.ShapeMaps;
using Warmup.Core.Targets;

namespace Warmup.Core.Tests.Adaptive;

/// <summary>Each warm-up of a target verifies other lengths than the one before it, so a bucket one run missed can be found.</summary>
public sealed class MixSampleTests
{
    private static readonly WarmupTarget Target = new()
    {
        Name = "t",
        BaseUrl = new Uri("http://127.0.0.1:8000/"),
        Model = "m",
        Limits = new TargetLimits { MaxConcurrency = 32, MaxTokensPerRun = 2_000_000 },
    };

    private static readonly AdaptiveBudget Budget = new(2_000_000, 5, TimeSpan.FromMinutes(20));

    private static ShapeMap Map(int runs) => new("t", "m", 8192, [500, 3500], 480, 32, [], [], DateTimeOffset.UnixEpoch, 1) { Runs = runs };

    private static VerificationPlan Mix(ShapeMap? map) => RoundPlanner.First(PlanSpec.FromPreset(PlanPresets.Adaptive), Target, 8192, true, map, Budget).Mix;

    private static List<int> VerifiedLengths(ShapeMap? map) => [.. Mix(map).PromptLengths];

    [Fact]
    public void Round_one_of_each_warm_up_verifies_lengths_no_earlier_warm_up_of_the_target_verified()
    {
        var first = VerifiedLengths(null);
        var second = VerifiedLengths(Map(runs: 1));
        var third = VerifiedLengths(Map(runs: 2));

        Assert.NotEmpty(second);
        Assert.NotEmpty(third);
        Assert.Empty(second.Intersect(first));
        Assert.Empty(third.Intersect(first));
        Assert.Empty(third.Intersect(second));
        // Batch sizes take no turns: each warm-up's staircase passes every one of them.
        Assert.Equal(Mix(null).Concurrencies, Mix(Map(runs: 2)).Concurrencies);
    }

    [Fact]
    public void The_map_counts_the_warm_ups_that_learned_or_started_from_it()
    {
        var learned = ShapeMapLearning.From(Target, 8192, new AdaptiveState { Round = 1 }, warm: true, DateTimeOffset.UnixEpoch);
        var next = RoundPlanner.First(PlanSpec.FromPreset(PlanPresets.Adaptive), Target, 8192, true, learned, Budget);
        var relearned = ShapeMapLearning.From(Target, 8192, next.State with { Round = 1 }, warm: true, DateTimeOffset.UnixEpoch);

        Assert.Equal(1, learned.Runs);
        Assert.Equal(1, next.State.MapRuns);
        Assert.Contains(next.State.Notes, n => n.Contains("warm-up 2 of it, verifying at lengths the earlier ones did not", StringComparison.Ordinal));
        Assert.Equal(2, relearned.Runs);
    }

    [Fact]
    public void No_two_rounds_of_the_default_round_limit_share_a_sample_of_lengths_across_runs()
    {
        var samples = Enumerable.Range(0, 4).SelectMany(runs => Enumerable.Range(0, AdaptiveBudget.DefaultMaxRounds).Select(round => VerificationPlan.LengthSample(runs, round))).ToList();

        Assert.Equal(samples.Count, samples.Distinct().Count());
        Assert.Equal(0, VerificationPlan.LengthSample(0, 0));
    }
}
