using Warmup.Core.Adaptive;
using Warmup.Core.Analysis;
using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;
using Warmup.Integration.Tests.Orchestration;
using Warmup.Simulator;

namespace Warmup.Integration.Tests.Adaptive;

/// <summary>
/// The adaptive preset on the in-process Durable engine against the simulator with shapes the coarse ladder does not
/// know: 512-token prefill buckets and SGLang-style capture sizes. The loop has to discover them; the simulator's own
/// state (what it compiled and captured) says whether it did.
/// </summary>
public sealed class AdaptiveLoopTests
{
    // 0.1: cold penalties of 50 ms (a graph capture) to 280 ms (a JIT), far above loopback jitter; rounds take seconds.
    private const double TimeScale = 0.1;

    // Compile and capture costs of a real GPU server (seconds per shape, hundreds of ms per graph), so that at this scale
    // a cold shape stands well clear of a shared test machine's scheduling hiccups (tens of ms).
    private static SimulatorProfile SglangLike(int maxModelLen = 8192) => SimulatorProfile.Builtin("sglang-like") with
    {
        TimeScale = TimeScale,
        StartupDelayMs = 0,
        MaxModelLen = maxModelLen,
        JitCompileBaseMs = 2000,
        GraphCaptureMs = 500,
    };

    private static WarmupTarget Target(string name, SimulatorHost server, int maxConcurrency = 64) => new()
    {
        Name = name,
        BaseUrl = server.BaseUrl,
        Model = server.Profile.Model,
        Limits = new TargetLimits
        {
            MaxConcurrency = maxConcurrency,
            // Room for every round: a server with 16 evenly spaced buckets over 8k tokens needs a fine ladder.
            MaxTokensPerRun = 2_000_000,
            ReadyDeadline = TimeSpan.FromSeconds(20),
            RequestTimeout = TimeSpan.FromSeconds(60),
        },
    };

    private static WarmupRequest Adaptive(string target, int? maxRounds = null)
        => new(target, WarmupReasons.Manual, PlanSpec.FromPreset(PlanPresets.Adaptive) with { MaxRounds = maxRounds }, "corr-" + target);

    [Fact]
    public async Task The_loop_finds_and_warms_shapes_the_coarse_ladder_misses_in_more_than_one_round()
    {
        await using var server = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = SglangLike() });
        var catalog = new SwappableTargetCatalog();
        catalog.Set(Target("sglang", server));
        await using var host = await WarmupHost.StartAsync(catalog, [new CollectingSink()]);

        var (report, _) = await WarmupHost.RunAsync(host, Adaptive("sglang"));

        Assert.Equal(RunOutcomes.Warm, report.Outcome);
        var loop = Assert.IsType<AdaptiveReport>(report.Adaptive);
        Assert.Equal(LoopStops.Warm, loop.StoppedBy);
        Assert.True(loop.Rounds.Count > 1, $"warm in {loop.Rounds.Count} round(s); compiled {string.Join(",", server.State.CompiledBuckets)}; steps {string.Join(",", report.Steps.Select(s => $"{s.Phase}:{s.Step.PromptTokens}x{s.Step.Concurrency}={s.TtftMs.P50:F0}"))}; {report.Verdict?.Reason}");
        Assert.False(loop.Rounds[0].IsWarm);
        Assert.NotEmpty(loop.ColdShapes);
        Assert.All(loop.ColdShapes, c => Assert.NotNull(c.WarmedInRound));
        Assert.Empty(loop.StillCold);
        Assert.Equal(loop.Rounds.Sum(r => r.Requests + r.VerifyRequests), report.Totals.Requests);

        // What the server compiled and captured: every prefill bucket and every capture size up to the limit.
        var state = server.State;
        Assert.Equal(server.Profile.PrefillBuckets, state.CompiledBuckets);
        Assert.Equal(server.Profile.CudaGraphCaptureSizes, state.CapturedGraphSizes);
    }

    [Fact]
    public async Task A_round_limit_that_ends_the_loop_before_warmth_names_what_stayed_cold()
    {
        await using var server = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = SglangLike() });
        var catalog = new SwappableTargetCatalog();
        catalog.Set(Target("limited", server));
        await using var host = await WarmupHost.StartAsync(catalog, [new CollectingSink()]);

        var (report, _) = await WarmupHost.RunAsync(host, Adaptive("limited", maxRounds: 1));

        Assert.Equal(RunOutcomes.NotWarm, report.Outcome);
        var loop = Assert.IsType<AdaptiveReport>(report.Adaptive);
        Assert.Equal(LoopStops.Rounds, loop.StoppedBy);
        Assert.Single(loop.Rounds);
        Assert.NotEmpty(loop.StillCold);
        Assert.All(loop.ColdShapes, c => Assert.Null(c.WarmedInRound));
        Assert.Equal(loop.ColdShapes.Select(c => c.Describe()), loop.StillCold);
        Assert.Contains(loop.ColdShapes, c => c.Kind == ColdShapeKinds.Prefill);
        Assert.False(report.Verdict!.IsWarm);
    }

    [Fact]
    public async Task The_shape_map_covers_in_round_one_what_the_first_warm_up_of_a_redeployed_target_found_cold()
    {
        var catalog = new SwappableTargetCatalog();
        await using var host = await WarmupHost.StartAsync(catalog, [new CollectingSink()]);

        WarmupReport first;
        await using (var server = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = SglangLike() }))
        {
            catalog.Set(Target("redeployed", server));
            (first, _) = await WarmupHost.RunAsync(host, Adaptive("redeployed"));
        }

        // A fresh process of the same model: every shape is cold again.
        await using var again = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = SglangLike() with { Seed = 7 } });
        catalog.Set(Target("redeployed", again));
        var (second, _) = await WarmupHost.RunAsync(host, Adaptive("redeployed"));

        Assert.Equal(RunOutcomes.Warm, first.Outcome);
        Assert.False(first.Adaptive!.FromShapeMap);
        Assert.Equal(RunOutcomes.Warm, second.Outcome);
        Assert.True(second.Adaptive!.FromShapeMap);
        // What the map must always give: its first round already covers what the first run's first round found cold,
        // so far fewer shapes are cold after it.
        var learnedCold = first.Adaptive.Rounds[0].ColdFound.Count;
        var coldWithMap = second.Adaptive.Rounds[0].ColdFound.Count;
        Assert.True(learnedCold >= 3, $"the first run's first round found only {learnedCold} cold shapes");
        Assert.True(coldWithMap < learnedCold, $"{coldWithMap} cold shapes after the map's first round, {learnedCold} after the coarse ladder's");
        // And it is cheaper: the map replays only the lengths that paid a cold path, where the first run needed a ladder,
        // refinements and a verification per round. Totals, not round counts, so a round added by scheduling noise on a
        // loaded machine (one more verification) still leaves the second run the cheaper.
        Assert.True(second.Totals.Requests < first.Totals.Requests, $"second run {second.Totals.Requests} requests, first {first.Totals.Requests}");
        Assert.True(Tokens(second) < Tokens(first), $"second run {Tokens(second):N0} tokens, first {Tokens(first):N0}");
        Assert.True(second.Adaptive.Rounds[0].Requests < first.Adaptive.Rounds.Sum(r => r.Requests), "the map's warm-up sends fewer requests than the first run's");
        Assert.True(again.Profile.PrefillBuckets.SequenceEqual(again.State.CompiledBuckets), $"compiled {string.Join(",", again.State.CompiledBuckets)}; first {Describe(first)}; second {Describe(second)}");
        Assert.Equal(again.Profile.CudaGraphCaptureSizes, again.State.CapturedGraphSizes);

        // Batch sizes: the second run's staircase held the sizes the first one stalled on (and the size below each) and
        // passed the others once, for fewer output tokens than holding every size; the server captured every size (above).
        var fullStaircase = first.Steps.Single(s => s.Phase == Phases.Warmup && s.Step.Staircase);
        var stalled = Assert.IsAssignableFrom<IReadOnlyList<int>>(fullStaircase.StalledBatchSizes);
        var learned = second.Steps.First(s => s.Phase == Phases.Warmup && s.Step.Staircase);
        Assert.NotNull(learned.Step.Levels);
        Assert.All(stalled, size => Assert.Equal(StaircaseBurst.TokensPerStair, learned.Step.Levels!.Count(l => l == size)));
        Assert.True(learned.OutputTokens < fullStaircase.OutputTokens, $"learned staircase {learned.OutputTokens} output tokens, full {fullStaircase.OutputTokens}; stalled on {string.Join(",", stalled)}");
    }

    private static long Tokens(WarmupReport report) => report.Adaptive!.TokensSpent;

    private static string Describe(WarmupReport report)
        => string.Join(",", report.Steps.Where(s => s.Step.Concurrency == 1).Select(s => $"{s.Phase[0]}{s.Step.PromptTokens}({s.PromptTokens})={s.TtftMs.P50:F0}"))
            + " | " + string.Join(",", report.Adaptive!.Rounds.Select(r => string.Join("/", r.ColdFound)));

    [Fact]
    public async Task A_changed_context_window_discards_the_shape_map()
    {
        var catalog = new SwappableTargetCatalog();
        await using var host = await WarmupHost.StartAsync(catalog, [new CollectingSink()]);
        await using (var server = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = SglangLike() }))
        {
            catalog.Set(Target("changed", server));
            var (first, _) = await WarmupHost.RunAsync(host, Adaptive("changed", maxRounds: 2));
            Assert.NotNull(first.Adaptive);
        }

        await using var smaller = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = SglangLike(maxModelLen: 4096) });
        catalog.Set(Target("changed", smaller));
        var (second, _) = await WarmupHost.RunAsync(host, Adaptive("changed", maxRounds: 1));

        Assert.False(second.Adaptive!.FromShapeMap);
        Assert.Contains(second.Notes, n => n.Contains("was discarded: the model changed", StringComparison.Ordinal));
        Assert.Equal(4096, second.Readiness.MaxContext);
    }
}
