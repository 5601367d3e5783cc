using System.Globalization;
using Warmup.Bench.Adaptive;
using Warmup.Bench.Engine;
using Warmup.Core.Analysis;
using Warmup.Core.Planning;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;
using Warmup.Simulator;

namespace Warmup.Bench.VerdictTrust;

/// <summary>
/// Can the verdict be trusted? Side by side, through the real orchestration, judged by the simulator's own penalty
/// record (its /metrics counters over each verification):
/// <list type="bullet">
/// <item>warm: 20 verifications (the user-like mix, rounds 0..19) of a server the adaptive loop has warmed. NOT WARM
/// while the server charged no cold penalty is a false alarm.</item>
/// <item>idle: the same warm server left idle past its idle threshold before each verification, so the first request
/// pays the clock ramp: one real cold path of a few tens of ms on the first verified shape.</item>
/// <item>seed: a fresh server warmed only by <c>seed</c> per run, so prefill shapes and batch sizes stay cold.</item>
/// </list>
/// A cold run (a penalty charged during verification) judged WARM is a miss. Nothing here is tuned to the profile: the
/// verdict sees only TTFTs.
/// </summary>
public sealed class VerdictBenchmark : IBenchmark
{
    public string Name => "verdict";

    public async Task<object> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var timeScale = BenchSettings.Number("WARMUP_BENCH_TIMESCALE", 0.05);
        var threshold = Verdict.DefaultThreshold;
        var warmRuns = options.Quick ? 5 : 20;
        var coldRuns = options.Quick ? 3 : 10;
        var profile = SimulatorProfile.Default with { TimeScale = timeScale, StartupDelayMs = 0 };
        await using var engine = await BenchEngine.StartAsync(cancellationToken);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        await using var server = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = profile }, cancellationToken);
        const string target = "verdict-warm";
        engine.AddTarget(Target(target, server.BaseUrl, profile));
        var warmup = await engine.RunWarmupAsync(target, PlanSpec.FromPreset(PlanPresets.Adaptive), threshold, cancellationToken);
        Console.WriteLine($"   warmed by adaptive: {warmup.Outcome}");

        var warm = new List<Run>();
        for (var round = 0; round < warmRuns; round++)
        {
            warm.Add(await VerifyAsync(engine, http, server.BaseUrl, target, profile, round, threshold, cancellationToken));
        }

        Print("warm", warm);

        // Idle past the server's threshold (scaled like every modelled duration), then verify: the first request pays the ramp.
        var idle = new List<Run>();
        var idleWait = TimeSpan.FromMilliseconds((profile.IdleAfterMs * timeScale) + 500);
        for (var round = 0; round < coldRuns; round++)
        {
            await Task.Delay(idleWait, cancellationToken);
            idle.Add(await VerifyAsync(engine, http, server.BaseUrl, target, profile, 100 + round, threshold, cancellationToken));
        }

        Print("idle", idle);

        var seed = new List<Run>();
        for (var round = 0; round < coldRuns; round++)
        {
            await using var fresh = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = profile with { Seed = 100 + round } }, cancellationToken);
            var name = $"verdict-seed-{round}";
            engine.AddTarget(Target(name, fresh.BaseUrl, profile));
            await engine.RunWarmupAsync(name, PlanSpec.FromPreset(PlanPresets.Seed), threshold, cancellationToken);
            seed.Add(await VerifyAsync(engine, http, fresh.BaseUrl, name, profile, 200 + round, threshold, cancellationToken));
        }

        Print("seed", seed);

        return new
        {
            benchmark = Name,
            description = "The product's verdict over the user-like mix (docs/user-like-mix.md, 3 steady repeats), through the real orchestration, " +
                          "judged against the simulator's own cold-penalty counters (/metrics) over each verification. warm: an adaptive-warmed server " +
                          "(a NOT WARM there with no penalty is a false alarm); idle: the same server idle past its threshold first (the first request " +
                          "pays the clock ramp); seed: a fresh server warmed only by the seed preset.",
            machine = BenchSettings.Machine,
            timeScale,
            threshold,
            profile = profile.Name,
            previous = "bench/results/adaptive.json falseAlarms before this change: 15/20 warm, 5 false alarms (single samples 20-30 ms over steady, bursts of 3/32)",
            warm = Series(warm),
            idle = Series(idle),
            seed = Series(seed),
        };
    }

    private static WarmupTarget Target(string name, Uri baseUrl, SimulatorProfile profile) => new()
    {
        Name = name,
        BaseUrl = baseUrl,
        Model = profile.Model,
        Limits = new TargetLimits { ReadyDeadline = TimeSpan.FromMinutes(2), RequestTimeout = TimeSpan.FromMinutes(5) },
    };

    private static async Task<Run> VerifyAsync(
        BenchEngine engine, HttpClient http, Uri baseUrl, string target, SimulatorProfile profile, int round, double threshold, CancellationToken cancellationToken)
    {
        var before = await ServerMeter.PenaltiesAsync(http, baseUrl, cancellationToken);
        var mix = VerificationPlan.UserLikeMix(new WarmupPlan("user", []), profile.MaxModelLen, [], new TargetLimits().MaxConcurrency, round);
        var verdict = (await engine.RunVerifyOnlyAsync(target, threshold, cancellationToken, mix)).Verification!.Verdict;
        var met = ServerMeter.Delta(before, await ServerMeter.PenaltiesAsync(http, baseUrl, cancellationToken));
        return new Run(round, verdict.IsWarm, met.Values.Sum(), met, verdict.Ratio is { } r ? Math.Round(r, 3) : null, verdict.NoiseFloorMs, verdict.ClientStalledShapes, verdict.Reason);
    }

    private static object Series(List<Run> runs) => new
    {
        runs = runs.Count,
        warm = runs.Count(r => r.IsWarm),
        withPenalty = runs.Count(r => r.PenaltiesMet > 0),
        falseAlarms = runs.Count(r => !r.IsWarm && r.PenaltiesMet == 0),
        missedColdPaths = runs.Count(r => r.IsWarm && r.PenaltiesMet > 0),
        caughtColdPaths = runs.Count(r => !r.IsWarm && r.PenaltiesMet > 0),
        clientStallDecided = runs.Count(r => r.ClientStalledShapes > 0),
        details = runs,
    };

    private static void Print(string series, List<Run> runs)
        => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"   {series,-5} {runs.Count(r => r.IsWarm)}/{runs.Count} warm, {runs.Count(r => r.PenaltiesMet > 0)} with a cold penalty, " +
            $"{runs.Count(r => !r.IsWarm && r.PenaltiesMet == 0)} false alarms, {runs.Count(r => r.IsWarm && r.PenaltiesMet > 0)} missed, " +
            $"{runs.Count(r => r.ClientStalledShapes > 0)} decided by a client stall"));

    private sealed record Run(
        int Round, bool IsWarm, long PenaltiesMet, IReadOnlyDictionary<string, long> Penalties, double? Ratio, double? NoiseFloorMs, int ClientStalledShapes, string? Reason);
}
