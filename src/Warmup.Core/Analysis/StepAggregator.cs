using Warmup.Core.Planning;
using Warmup.Core.Probing;

namespace Warmup.Core.Analysis;

/// <summary>Turns the probes of one step into a <see cref="StepResult"/>: percentiles and counts, no raw samples.</summary>
public static class StepAggregator
{
    /// <summary>
    /// TTFT and E2E are summarized over successful probes; inter-token gaps are pooled over every chunk gap of every
    /// successful probe. Failures are counted by outcome class (<see cref="OutcomeKey"/>). Token totals include
    /// failed probes, since those tokens were spent too.
    /// </summary>
    public static StepResult Summarize(PlanStep step, string phase, IReadOnlyList<ProbeResult> probes, double wallMs)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(probes);
        var succeeded = probes.Where(p => p.IsSuccess).ToList();
        return new StepResult
        {
            Step = step,
            Phase = phase,
            Requests = probes.Count,
            Succeeded = succeeded.Count,
            TtftMs = LatencySummary.From(succeeded.Where(p => p.TtftMs.HasValue).Select(p => p.TtftMs!.Value)),
            InterTokenMs = LatencySummary.From(succeeded.SelectMany(p => p.InterTokenMs)),
            E2eMs = LatencySummary.From(succeeded.Where(p => p.E2eMs.HasValue).Select(p => p.E2eMs!.Value)),
            ErrorsByOutcome = CountErrors(probes),
            // Sent only: a request the run's circuit held back cost nothing (report schema: "prompt tokens sent").
            PromptTokens = probes.Where(p => p.Outcome != ProbeOutcome.NotSent).Sum(p => (long)p.PromptTokens),
            OutputTokens = probes.Sum(p => (long)p.OutputTokens),
            WallMs = wallMs,
            RetryAfterWaits = probes.Count(p => p.RetryAfterWaitMs > 0),
            RetryAfterWaitMs = probes.Sum(p => p.RetryAfterWaitMs),
        };
    }

    /// <summary>"HttpError:503" for HTTP errors with a status, otherwise the outcome name ("Timeout", "TruncatedStream").</summary>
    public static string OutcomeKey(ProbeResult probe)
        => probe.Outcome == ProbeOutcome.HttpError && probe.StatusCode is { } status
            ? $"{ProbeOutcome.HttpError}:{status}"
            : probe.Outcome.ToString();

    public static IReadOnlyDictionary<string, int> CountErrors(IEnumerable<ProbeResult> probes)
        => new SortedDictionary<string, int>(
            probes.Where(p => !p.IsSuccess).GroupBy(OutcomeKey).ToDictionary(g => g.Key, g => g.Count()),
            StringComparer.Ordinal);

    /// <summary>Adds up error counts of several steps.</summary>
    public static IReadOnlyDictionary<string, int> MergeErrors(IEnumerable<IReadOnlyDictionary<string, int>> counts)
    {
        var merged = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var (key, value) in counts.SelectMany(c => c))
        {
            merged[key] = merged.GetValueOrDefault(key) + value;
        }

        return merged;
    }
}
