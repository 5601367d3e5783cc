using Warmup.Core.Analysis;
using Warmup.Core.Planning;
using Warmup.Core.Probing;
using Warmup.Core.Readiness;
using Warmup.Core.Reporting;

namespace Warmup.Integration.Tests.Telemetry;

/// <summary>Builds step results and reports the way the engine shapes them, from measured probe results.</summary>
internal static class TelemetryTestData
{
    public static StepResult Step(PlanStep step, string phase, IReadOnlyList<ProbeResult> probes)
    {
        var ok = probes.Where(p => p.IsSuccess).ToList();
        return new StepResult
        {
            Step = step,
            Phase = phase,
            Requests = probes.Count,
            Succeeded = ok.Count,
            TtftMs = Summary(ok.Select(p => p.TtftMs!.Value)),
            InterTokenMs = Summary(ok.SelectMany(p => p.InterTokenMs)),
            E2eMs = Summary(ok.Select(p => p.E2eMs!.Value)),
            ErrorsByOutcome = probes.Where(p => !p.IsSuccess).GroupBy(Core.Telemetry.WarmupMetrics.OutcomeClass).ToDictionary(g => g.Key, g => g.Count()),
            PromptTokens = probes.Sum(p => (long)p.PromptTokens),
            OutputTokens = probes.Sum(p => (long)p.OutputTokens),
            WallMs = 12.5,
        };
    }

    public static WarmupReport Report(string target, string outcome, IReadOnlyList<StepResult> steps, StepResult? firstUserLike = null, StepResult? steady = null, string? error = null)
    {
        var all = steps.Concat(new[] { firstUserLike, steady }.OfType<StepResult>()).ToList();
        var started = DateTimeOffset.UtcNow.AddSeconds(-42);
        var verdict = firstUserLike is not null && steady is not null
            ? new Verdict(firstUserLike.TtftMs.P50, steady.TtftMs.P50, Ratio(firstUserLike, steady), Verdict.DefaultThreshold, outcome == RunOutcomes.Warm)
            : null;
        return new WarmupReport
        {
            RunId = $"warmup-{target}",
            CorrelationId = "corr-1",
            Target = target,
            Dialect = "openai",
            Model = "m",
            Reason = "deployment",
            Plan = "standard",
            StartedAt = started,
            FinishedAt = started.AddSeconds(41.5),
            DurationMs = 41_500,
            Outcome = outcome,
            Readiness = new ReadinessResult(outcome != RunOutcomes.NeverReady, 1234.5, 3, null),
            Steps = steps,
            FirstUserLike = firstUserLike,
            Steady = steady,
            Verdict = verdict,
            Totals = new RunTotals(
                all.Sum(s => s.Requests),
                all.Sum(s => s.Requests - s.Succeeded),
                all.Sum(s => s.PromptTokens),
                all.Sum(s => s.OutputTokens),
                all.SelectMany(s => s.ErrorsByOutcome).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value))),
            Error = error,
        };
    }

    private static double Ratio(StepResult first, StepResult steady) => steady.TtftMs.P50 > 0 ? first.TtftMs.P50 / steady.TtftMs.P50 : 0;

    private static LatencySummary Summary(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0
            ? LatencySummary.Empty
            : new LatencySummary(sorted.Length, Percentile(sorted, 50), Percentile(sorted, 90), Percentile(sorted, 99), sorted[^1]);
    }

    private static double Percentile(double[] sorted, double p)
    {
        var rank = p / 100 * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }
}
