using System.Globalization;
using Warmup.Bench.Engine;
using Warmup.Core.Analysis;
using Warmup.Core.Planning;

namespace Warmup.Bench.Effectiveness;

/// <summary>
/// Does a warm-up make the next user's request as fast as steady state? For each simulator profile and each case (no
/// warm-up, the seed plan, the full plan): a fresh simulator, the case's plan through the real orchestration, then the
/// orchestration's own verification (first-user-like TTFT / steady TTFT, worst probe decides). Repeats use fresh
/// simulators with other jitter seeds, interleaved (repeat-major) so machine noise spreads over all cases alike.
/// </summary>
public sealed class EffectivenessBenchmark : IBenchmark
{
    public static readonly string[] Cases = [CaseRunner.NoWarmup, PlanPresets.Seed, PlanPresets.Full];

    public string Name => "effectiveness";

    public async Task<object> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var timeScale = BenchSettings.Number("WARMUP_BENCH_TIMESCALE", options.Quick ? 0.1 : 0.25);
        var repeats = (int)BenchSettings.Number("WARMUP_BENCH_REPEATS", options.Quick ? 1 : 3);
        var threshold = Verdict.DefaultThreshold;
        await using var engine = await BenchEngine.StartAsync(cancellationToken);
        var runner = new CaseRunner(engine);
        await HarnessWarmup.RunAsync(runner, cancellationToken);

        var runs = new List<CaseRun>();
        for (var repeat = 0; repeat < repeats; repeat++)
        {
            foreach (var profile in BenchProfile.Names.Select(BenchProfile.For))
            {
                foreach (var plan in Cases.Where(c => BenchSettings.Selected(profile.Name, c)))
                {
                    var run = await runner.RunAsync(profile, plan, timeScale, 1000 + repeat, threshold, cancellationToken);
                    runs.Add(run);
                    Print(run);
                }
            }
        }

        // Ratios must not depend on the time scale: the same case at TimeScale 1 (real-time cold-start costs).
        var checks = new List<CaseRun>();
        if (!options.Quick && BenchSettings.Only is null)
        {
            foreach (var plan in new[] { CaseRunner.NoWarmup, PlanPresets.Full })
            {
                var run = await runner.RunAsync(BenchProfile.For("default"), plan, 1.0, 1000, threshold, cancellationToken);
                checks.Add(run);
                Print(run);
            }
        }

        var summary = BenchProfile.Names.Where(p => runs.Any(r => r.Profile == p)).Select(p => new
        {
            profile = p,
            fullPlanConfig = FullConfig(BenchProfile.For(p)),
            cases = Cases.Where(c => runs.Any(r => r.Profile == p && r.Plan == c))
                .Select(c => Summarize(runs.Where(r => r.Profile == p && r.Plan == c).ToList())).ToList(),
        }).ToList();
        PrintTable(summary.SelectMany(s => s.cases).ToList());

        return new
        {
            benchmark = Name,
            description = "First-user-like TTFT / steady TTFT after each case, measured by the orchestration's own Verify activity " +
                          "(worst of the verified lengths and adapters; threshold 1.2). Fresh simulator per run; readiness excluded.",
            machine = BenchSettings.Machine,
            quick = options.Quick,
            timeScale,
            repeats,
            threshold,
            startupDelayMs = CaseRunner.StartupDelayMs,
            verification = "5 log-spaced lengths from 48 tokens to 75% of the context (same lengths in every case), plus one probe per " +
                           "LoRA adapter the target serves at the middle length; first-user-like round, then 3 steady rounds; 8 output tokens each",
            noWarmupCase = "the product's WaitUntilReady and Verify activities on the same engine with an empty plan (bench VerifyOnlyOrchestrator)",
            ratioNote = "ratio = the product's verdict (client-measured TTFT: mean first-user-like / mean steady over the verified lengths, each length also checked for a cold path); serverRatio = the worst single probe's first / median steady on the simulator's modelled TTFTs",
            profiles = summary,
            timeScaleCheck = checks.Select(c => new
            {
                c.Profile,
                c.Plan,
                c.TimeScale,
                c.Ratio,
                c.ServerRatio,
                scaledMedianRatio = Spread.Of(runs.Where(r => r.Profile == c.Profile && r.Plan == c.Plan).Select(r => r.Ratio)).Median,
                scaledMedianServerRatio = Spread.Of(runs.Where(r => r.Profile == c.Profile && r.Plan == c.Plan).Select(r => r.ServerRatio)).Median,
                run = c,
            }).ToList(),
        };
    }

    private static object FullConfig(BenchProfile profile) => new
    {
        promptBuckets = profile.Shapes?.PromptBuckets,
        batchSizes = profile.Shapes?.BatchSizes,
        maxConcurrency = profile.MaxConcurrency,
        note = profile.Shapes is null
            ? "full preset defaults (powers of two from 32, vLLM capture sizes up to 32)"
            : "the target's promptBuckets, batchSizes and limits.maxConcurrency in the targets configuration, as an operator states the server's compiled shapes",
    };

    private static CaseSummary Summarize(List<CaseRun> runs) => new(
        runs[0].Profile,
        runs[0].Plan,
        Spread.Of(runs.Select(r => r.Ratio)),
        Spread.Of(runs.Select(r => r.ServerRatio)),
        runs.Count(r => r.IsWarm),
        runs.Count,
        runs.SelectMany(r => r.ColdPenalties).Distinct().ToList(),
        runs[0].PlanCost,
        runs);

    private static void Print(CaseRun run)
        => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"   {run.Profile,-12} {run.Plan,-5} x{run.TimeScale:0.##} seed {run.Seed}: ratio {run.Ratio,6:F2} (server {run.ServerRatio,6:F2}) " +
            $"warm={run.IsWarm}, plan {run.PlanCost.ClientRequests} req ({run.PlanCost.ClientFailed} failed{Errors(run.PlanCost)}) / {run.PlanCost.WallMs / 1000:F1} s; cold: {string.Join(" ", run.ColdPenalties.DefaultIfEmpty("-"))}"));

    private static string Errors(PlanCost cost)
        => cost.ClientErrors.Count == 0 ? "" : ": " + string.Join(", ", cost.ClientErrors.Select(e => $"{e.Key} x{e.Value}"));

    private static void PrintTable(List<CaseSummary> cases)
    {
        Console.WriteLine($"   {"profile",-12} {"case",-5} {"ratio median (min..max)",-26} {"server ratio",-22} warm");
        foreach (var c in cases)
        {
            Console.WriteLine($"   {c.Profile,-12} {c.Plan,-5} {c.Ratio,-26} {c.ServerRatio,-22} {c.Warm}/{c.Runs}");
        }
    }

    private sealed record CaseSummary(
        string Profile, string Plan, Spread Ratio, Spread ServerRatio, int Warm, int Runs, IReadOnlyList<string> ColdPenaltiesSeen,
        PlanCost PlanCost, IReadOnlyList<CaseRun> RunDetails);
}
