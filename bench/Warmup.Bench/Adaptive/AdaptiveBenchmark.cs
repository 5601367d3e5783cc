using System.Globalization;
using Warmup.Bench.Engine;
using Warmup.Core.Analysis;
using Warmup.Core.Planning;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;
using Warmup.Simulator;

namespace Warmup.Bench.Adaptive;

/// <summary>
/// The adaptive loop against every simulator profile, side by side with no warm-up, <c>seed</c> and the fixed
/// <c>full</c> ladder, all through the real orchestration on a fresh simulator per case. After each warm-up the
/// user-like mix (docs/user-like-mix.md, <see cref="VerificationPlan.UserLikeMix"/>, at offsets no warm-up verified)
/// is sent twice and the simulator's own /metrics counters say how many cold penalties it still met. Then a
/// second adaptive warm-up of the same target on a fresh server (the shape map known), and the false-alarm count: 20
/// verifications of an already warm server, each judged by the product's verdict.
/// </summary>
public class AdaptiveBenchmark : IBenchmark
{
    protected const string None = "none";
    private const string Second = "adaptive (map known)";

    // The simulator's penalty for a server left idle (here after 30 s of wall clock, see RunProfileAsync): not a shape
    // any warm-up compiles but a gap before the user mix. It is counted apart (coldPenaltiesByKind still lists it); the
    // idle timer, not the warm-up, answers it.
    private const string IdlePenalty = "idle";

    // The mixes users send after the warm-up: offsets of the user-like mix that no warm-up round verified.
    private static readonly int[] UserMixRounds = [101, 102];

    public virtual string Name => "adaptive";

    /// <summary>What is run before the second, map-known adaptive warm-up: each case on a fresh simulator.</summary>
    protected virtual IReadOnlyList<string> Cases { get; } = [None, PlanPresets.Seed, PlanPresets.Full, PlanPresets.Adaptive];

    /// <summary>The profiles to run: every built-in one (WARMUP_BENCH_ONLY narrows them).</summary>
    protected virtual IReadOnlyList<SimulatorProfile> Profiles()
        => SimulatorProfile.BuiltinNames.Where(p => BenchSettings.Selected(p, PlanPresets.Adaptive) || BenchSettings.Only is null).Select(SimulatorProfile.Builtin).ToList();

    protected virtual string Description
        => "Per simulator profile, fresh simulator per case, real orchestration: the warm-up's cost (verification counted separately), " +
           "then the user-like mix twice (offsets no warm-up verified) and the cold penalties the simulator counted in /metrics meanwhile.";

    /// <summary>Whether the run ends with the false-alarm count on a warm default server.</summary>
    protected virtual bool CountsFalseAlarms => true;

    public async Task<object> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var timeScale = BenchSettings.Number("WARMUP_BENCH_TIMESCALE", 0.05);
        var threshold = Verdict.DefaultThreshold;
        await using var engine = await BenchEngine.StartAsync(cancellationToken);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await HarnessWarmup.RunAsync(new CaseRunner(engine), cancellationToken);

        // Profiles run one at a time (each case on its own fresh simulator): about five minutes on two cores, no slower
        // than side by side (WARMUP_BENCH_PARALLEL=6), which loads the machine with six servers and clients and blurs the
        // very timings the loop reads (stalls of a few ms at this time scale).
        var parallel = (int)BenchSettings.Number("WARMUP_BENCH_PARALLEL", 1);
        using var slots = new SemaphoreSlim(parallel);
        var profiles = await Task.WhenAll(Profiles().Select(async profile =>
        {
            await slots.WaitAsync(cancellationToken);
            try
            {
                return await RunProfileAsync(engine, http, profile, timeScale, threshold, cancellationToken);
            }
            finally
            {
                slots.Release();
            }
        }));

        var falseAlarms = CountsFalseAlarms ? await FalseAlarmsAsync(engine, http, timeScale, threshold, cancellationToken) : null;
        return new
        {
            benchmark = Name,
            description = Description,
            machine = BenchSettings.Machine,
            timeScale,
            threshold,
            userMix = "docs/user-like-mix.md: 8 prompt lengths across the context window (half log-spaced, half evenly over its upper seven eighths), every adapter, bursts at 4 concurrencies log-spaced from 2 to the limit; here with 1 steady repeat, rounds " + string.Join(", ", UserMixRounds),
            floorNote = "cheapest traffic touching every prefill bucket and every capture size up to the limit exactly once (computed from the profile)",
            busyNote = "seconds the server had a request in flight during the warm-up (verification included), divided by the time scale",
            coldNote = "coldPenaltiesMet counts every kind but idle (the server left idle between the warm-up and the user mix; its threshold is the profile's 30 s of wall clock, not scaled); coldPenaltiesByKind lists all",
            profiles,
            falseAlarms,
        };
    }

    private async Task<object> RunProfileAsync(
        BenchEngine engine, HttpClient http, SimulatorProfile profile, double timeScale, double threshold, CancellationToken cancellationToken)
    {
        var name = profile.Name;
        var simulator = profile with { TimeScale = timeScale, StartupDelayMs = 0 };
        // The idle threshold in wall-clock seconds as on a real server (30 s), not scaled down to 1.5 s: the engine's
        // own gaps between activities on a loaded machine reach that, and the loop then read the idle ramp on its first
        // verification request as a cold prompt length.
        simulator = simulator with { IdleAfterMs = simulator.IdleAfterMs / timeScale };
        var limit = Math.Min(TargetLimits.MaxConcurrencyCeiling, simulator.CudaGraphCaptureSizes.Max());
        var floor = ShapeFloor.Of(simulator, limit);
        var rows = new List<CaseRow>();
        foreach (var plan in Cases)
        {
            rows.Add(await RunCaseAsync(engine, http, simulator, limit, plan, $"{name}-{plan}", threshold, cancellationToken));
            Print(name, rows[^1], floor);
        }

        // The same target redeployed: a fresh, cold server; the engine's shape map store still holds what the loop learned.
        rows.Add(await RunCaseAsync(engine, http, simulator with { Seed = 7 }, limit, PlanPresets.Adaptive, $"{name}-{PlanPresets.Adaptive}", threshold, cancellationToken) with { Case = Second });
        Print(name, rows[^1], floor);
        return new { profile = name, concurrencyLimit = limit, floor, cases = rows };
    }

    private async Task<CaseRow> RunCaseAsync(
        BenchEngine engine, HttpClient http, SimulatorProfile profile, int limit, string plan, string target, double threshold, CancellationToken cancellationToken)
    {
        await using var server = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = profile }, cancellationToken);
        engine.AddTarget(new WarmupTarget
        {
            Name = target,
            BaseUrl = server.BaseUrl,
            Model = profile.Model,
            Adapters = profile.LoraAdapters.Select(a => a.Name).ToList(),
            Limits = new TargetLimits { MaxConcurrency = limit, ReadyDeadline = TimeSpan.FromMinutes(2), RequestTimeout = TimeSpan.FromMinutes(5) },
        });

        WarmupReport? report = null;
        if (plan != None)
        {
            report = await engine.RunWarmupAsync(target, PlanSpec.FromPreset(plan), threshold, cancellationToken);
        }

        var warmupRecords = server.Log.Snapshot();
        var before = await ServerMeter.PenaltiesAsync(http, server.BaseUrl, cancellationToken);
        var worst = 0.0;
        var mixWarm = 0;
        foreach (var round in UserMixRounds)
        {
            var mix = VerificationPlan.UserLikeMix(new WarmupPlan("user", []), profile.MaxModelLen, profile.LoraAdapters.Select(a => a.Name).ToList(), limit, round)
                with { SteadyRepeats = 1 };
            var result = await engine.RunVerifyOnlyAsync(target, threshold, cancellationToken, mix);
            var verdict = result.Verification!.Verdict;
            mixWarm += verdict.IsWarm ? 1 : 0;
            worst = Math.Max(worst, verdict.ByLength.Select(l => l.Ratio).Concat(verdict.ByConcurrency.Select(b => b.Ratio)).DefaultIfEmpty(0).Max());
        }

        var met = ServerMeter.Delta(before, await ServerMeter.PenaltiesAsync(http, server.BaseUrl, cancellationToken));
        var steps = report?.Steps ?? [];
        var warmupTokens = steps.Sum(s => s.PromptTokens + s.OutputTokens);
        return new CaseRow(
            plan,
            report?.Outcome ?? "-",
            report?.Adaptive?.Rounds.Count,
            report?.Adaptive?.StoppedBy,
            met.Where(kv => kv.Key != IdlePenalty).Sum(kv => kv.Value),
            met,
            Math.Round(worst, 2),
            $"{mixWarm}/{UserMixRounds.Length}",
            steps.Sum(s => s.Requests),
            steps.Sum(s => s.PromptTokens),
            steps.Sum(s => s.OutputTokens),
            (report?.Totals.Requests ?? 0) - steps.Sum(s => s.Requests),
            (report is null ? 0 : report.Totals.PromptTokens + report.Totals.OutputTokens) - warmupTokens,
            ServerMeter.BusySeconds(warmupRecords, profile.TimeScale),
            report?.Adaptive?.StillCold ?? [])
        {
            Spacing = report?.Adaptive?.Spacing,
            Staircases = report?.Steps.Where(s => s.Step.Staircase)
                .Select(s => new StaircaseRow(s.Step.Concurrency, s.Step.Levels?.Count, s.OutputTokens, s.StalledBatchSizes ?? [])).ToList(),
            RoundCosts = report?.Adaptive?.Rounds.Select(r => new RoundCost(r.Round, r.Requests, r.PromptTokens + r.OutputTokens, r.VerifyRequests, r.VerifyTokens, r.IsWarm, r.ColdFound)).ToList(),
        };
    }

    /// <summary>
    /// 20 verifications (the user-like mix, rounds 0..19, 3 steady repeats as the loop sends them) of a server the
    /// adaptive loop has warmed. A NOT WARM verdict while the simulator counted no cold penalty is a false alarm.
    /// </summary>
    private static async Task<object> FalseAlarmsAsync(BenchEngine engine, HttpClient http, double timeScale, double threshold, CancellationToken cancellationToken)
    {
        var profile = SimulatorProfile.Default with { TimeScale = timeScale, StartupDelayMs = 0 };
        await using var server = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = profile }, cancellationToken);
        const string target = "false-alarms";
        engine.AddTarget(new WarmupTarget
        {
            Name = target,
            BaseUrl = server.BaseUrl,
            Model = profile.Model,
            Limits = new TargetLimits { ReadyDeadline = TimeSpan.FromMinutes(2), RequestTimeout = TimeSpan.FromMinutes(5) },
        });
        var warmup = await engine.RunWarmupAsync(target, PlanSpec.FromPreset(PlanPresets.Adaptive), threshold, cancellationToken);
        var runs = new List<object>();
        int warm = 0, falseAlarms = 0, trueColds = 0;
        for (var round = 0; round < 20; round++)
        {
            var before = await ServerMeter.PenaltiesAsync(http, server.BaseUrl, cancellationToken);
            var mix = VerificationPlan.UserLikeMix(new WarmupPlan("user", []), profile.MaxModelLen, [], new TargetLimits().MaxConcurrency, round);
            var verdict = (await engine.RunVerifyOnlyAsync(target, threshold, cancellationToken, mix)).Verification!.Verdict;
            var met = ServerMeter.Delta(before, await ServerMeter.PenaltiesAsync(http, server.BaseUrl, cancellationToken));
            warm += verdict.IsWarm ? 1 : 0;
            falseAlarms += !verdict.IsWarm && met.Count == 0 ? 1 : 0;
            trueColds += !verdict.IsWarm && met.Count > 0 ? 1 : 0;
            runs.Add(new { round, verdict.IsWarm, ratio = verdict.Ratio is { } r ? Math.Round(r, 3) : (double?)null, verdict.NoiseFloorMs, penalties = met, verdict.Reason });
        }

        Console.WriteLine($"   false alarms: {warm}/20 warm, {falseAlarms} false alarms, {trueColds} not warm with a real cold penalty");
        return new { profile = "default", timeScale, warmedBy = warmup.Outcome, runs = 20, warm, falseAlarms, notWarmWithRealPenalty = trueColds, details = runs };
    }

    private static void Print(string profile, CaseRow row, ShapeFloor floor)
        => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"   {profile,-12} {row.Case,-22} {row.Outcome,-9} rounds {row.Rounds?.ToString(CultureInfo.InvariantCulture) ?? "-",-2} cold met {row.ColdPenaltiesMet,3} (idle {row.ColdPenaltiesByKind.GetValueOrDefault(IdlePenalty)}) " +
            $"worst {row.WorstRatio,6:F2} warm-up {row.WarmupRequests,5} req {row.WarmupPromptTokens + row.WarmupOutputTokens,9:N0} tok " +
            $"({(double)(row.WarmupPromptTokens + row.WarmupOutputTokens) / floor.Tokens,5:F1}x floor) verify {row.VerifyTokens,8:N0} tok busy {row.BusySeconds,6:F1} s"));

    private sealed record CaseRow(
        string Case,
        string Outcome,
        int? Rounds,
        string? StoppedBy,
        long ColdPenaltiesMet,
        IReadOnlyDictionary<string, long> ColdPenaltiesByKind,
        double WorstRatio,
        string UserMixWarm,
        int WarmupRequests,
        long WarmupPromptTokens,
        long WarmupOutputTokens,
        int VerifyRequests,
        long VerifyTokens,
        double BusySeconds,
        IReadOnlyList<string> StillCold)
    {
        /// <summary>Rung spacing the loop learned (adaptive only).</summary>
        public int? Spacing { get; init; }

        /// <summary>Each staircase: its top, the sizes it held (null: every size), its output tokens and the sizes it stalled on.</summary>
        public IReadOnlyList<StaircaseRow>? Staircases { get; init; }

        /// <summary>Each round's warm-up and verification cost and what its verification found cold (adaptive only).</summary>
        public IReadOnlyList<RoundCost>? RoundCosts { get; init; }
    }

    private sealed record StaircaseRow(int Top, int? Levels, long OutputTokens, IReadOnlyList<int> Stalled);

    private sealed record RoundCost(int Round, int WarmupRequests, long WarmupTokens, int VerifyRequests, long VerifyTokens, bool Warm, IReadOnlyList<string> ColdFound);
}
