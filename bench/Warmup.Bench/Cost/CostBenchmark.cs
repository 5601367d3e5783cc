using System.Globalization;
using Warmup.Bench.Engine;
using Warmup.Core.Analysis;
using Warmup.Core.Planning;

namespace Warmup.Bench.Cost;

/// <summary>
/// What each preset spends: requests, prompt and generated tokens (as the simulator counted them), and wall time from
/// the plan's first request to its last (readiness excluded), with verification's own cost beside it. The default
/// profile runs at TimeScale 1, so its wall times are real seconds; the other profiles run scaled (stated per row).
/// Each run is the real orchestration on a fresh simulator, so every row also carries the run's verdict.
/// </summary>
public sealed class CostBenchmark : IBenchmark
{
    private static readonly string[] Plans = [PlanPresets.Light, PlanPresets.Seed, PlanPresets.Full];

    public string Name => "cost";

    public async Task<object> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var headlineScale = options.Quick ? 0.1 : 1.0;
        var otherScale = BenchSettings.Number("WARMUP_BENCH_TIMESCALE", options.Quick ? 0.1 : 0.25);
        await using var engine = await BenchEngine.StartAsync(cancellationToken);
        var runner = new CaseRunner(engine);
        await HarnessWarmup.RunAsync(runner, cancellationToken);

        var rows = new List<CostRow>();
        foreach (var profile in BenchProfile.Names.Select(BenchProfile.For))
        {
            var scale = profile.Name == "default" ? headlineScale : otherScale;
            foreach (var plan in Plans.Where(p => BenchSettings.Selected(profile.Name, p)))
            {
                var run = await runner.RunAsync(profile, plan, scale, 2000, Verdict.DefaultThreshold, cancellationToken);
                var row = CostRow.From(run);
                rows.Add(row);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"   {row.Profile,-12} {row.Plan,-5} x{row.TimeScale:0.##}: {row.Requests,4} req, {row.PromptTokens,8:N0} prompt, {row.OutputTokens,6:N0} output tokens, " +
                    $"{row.WallSeconds,6:F1} s ({row.Failed} failed); ratio {row.Ratio:F2} warm={row.IsWarm}"));
            }
        }

        return new
        {
            benchmark = Name,
            description = "Cost of each preset's own traffic (verification listed separately), counted by the simulator; wall time from the " +
                          "plan's first request arriving to its last chunk sent (time-to-ready excluded, gaps between levels included).",
            machine = BenchSettings.Machine,
            quick = options.Quick,
            timeScales = new { defaultProfile = headlineScale, otherProfiles = otherScale },
            wallTimeNote = "wallSeconds is measured at the row's timeScale; wallSecondsAtScale1 divides it by the scale (an estimate for scaled rows: " +
                           "modelled server time scales exactly, the client's and the orchestration's own time does not)",
            originalScriptSeedRun = new
            {
                requests = 28,
                maxOutputTokens = 13_440,
                fixedSleepsSeconds = 22,
                note = "the original warm-up script's seed run: 28 requests, up to 13,440 output tokens and at least 22 s of fixed sleeps. " +
                       "Our seed preset sends the same 28 requests with exactly those max_tokens (ignore_eos, so all 13,440 are generated) " +
                       "and has no sleeps: levels follow each other as soon as the previous one ends; readiness is polled, not slept on.",
            },
            rows,
        };
    }

    private sealed record CostRow(
        string Profile, string Plan, double TimeScale, int Requests, int Failed, long PromptTokens, long OutputTokens,
        double WallSeconds, double WallSecondsAtScale1, VerifyCost Verification, double Ratio, bool IsWarm, string? Reason,
        IReadOnlyList<string> ColdPenaltiesAtFirstUse, IReadOnlyList<string> Notes)
    {
        public static CostRow From(CaseRun run) => new(
            run.Profile,
            run.Plan,
            run.TimeScale,
            run.PlanCost.Requests,
            run.PlanCost.ClientFailed,
            run.PlanCost.PromptTokens,
            run.PlanCost.OutputTokens,
            Math.Round(run.PlanCost.WallMs / 1000, 2),
            Math.Round(run.PlanCost.WallMs / 1000 / run.TimeScale, 1),
            run.VerifyCost,
            run.Ratio,
            run.IsWarm,
            run.Reason,
            run.ColdPenalties,
            run.Notes);
    }
}
