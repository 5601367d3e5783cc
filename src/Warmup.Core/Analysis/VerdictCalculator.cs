using System.Globalization;
using Warmup.Core.Probing;

namespace Warmup.Core.Analysis;

/// <summary>One verification probe and the prompt length it was sent at.</summary>
public sealed record LengthProbe(int PromptTokens, ProbeResult Probe);

/// <summary>
/// Decides warm or not warm. The headline ratio is the first-user-like TTFT over the steady TTFT summed across the
/// verified lengths (so one short prompt's few milliseconds of jitter cannot swing it), and every length is also
/// checked on its own: a length whose first-user-like TTFT is over the threshold times its steady median, by more than
/// the timing noise, makes the run not warm even when the sum looks fine. Any failed verification probe makes the
/// run not warm, because a user would have seen that failure.
/// </summary>
public static class VerdictCalculator
{
    /// <summary>
    /// Smallest excess over steady state that counts as a cold path. Cold-start penalties (JIT per shape, graph
    /// capture, KV allocation, adapter loads, clock ramp) cost tens of milliseconds to seconds; a few milliseconds on
    /// a short prompt is client and network jitter, which a single first-user-like sample cannot average away.
    /// </summary>
    public const double MinColdExcessMs = 10;

    public static Verdict Calculate(IReadOnlyList<LengthProbe> firstUserLike, IReadOnlyList<LengthProbe> steady, double threshold)
    {
        ArgumentNullException.ThrowIfNull(firstUserLike);
        ArgumentNullException.ThrowIfNull(steady);
        if (double.IsNaN(threshold) || threshold <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "threshold must be a positive ratio");
        }

        var byLength = new List<LengthVerdict>();
        foreach (var length in firstUserLike.Select(p => p.PromptTokens).Distinct())
        {
            var first = SuccessfulTtfts(firstUserLike, length);
            var baseline = SuccessfulTtfts(steady, length);
            if (first.Count == 0 || baseline.Count == 0)
            {
                continue;
            }

            var firstMs = Percentiles.Median(first);
            var steadyMs = Percentiles.Median(baseline);
            // The steady samples' own spread is noise too: a first request inside it is indistinguishable from steady.
            var allowanceMs = Math.Max(MinColdExcessMs, baseline.Max() - baseline.Min());
            var ratio = firstMs / Math.Max(steadyMs, 1e-3);
            var cold = ratio > threshold && firstMs - steadyMs > allowanceMs;
            byLength.Add(new LengthVerdict(length, firstMs, steadyMs, ratio) { IsCold = cold });
        }

        var all = firstUserLike.Concat(steady).ToList();
        var failed = all.Where(p => !p.Probe.IsSuccess).ToList();
        var failureReason = failed.Count == 0
            ? null
            : $"{failed.Count} of {all.Count} verification probes failed ({Describe(StepAggregator.CountErrors(failed.Select(f => f.Probe)))})";

        if (byLength.Count == 0)
        {
            return new Verdict(0, 0, 0, threshold, false,
                failureReason ?? "no prompt length had both a first-user-like and a steady TTFT to compare");
        }

        var worst = byLength.MaxBy(l => l.Ratio)!;
        var firstMean = byLength.Average(l => l.FirstTtftMs);
        var steadyMean = byLength.Average(l => l.SteadyTtftMs);
        var overall = firstMean / Math.Max(steadyMean, 1e-3);
        var slow = byLength.Where(l => l.IsCold).ToList();
        var isWarm = overall <= threshold && slow.Count == 0 && failed.Count == 0;
        var reasons = new List<string>();
        if (overall > threshold)
        {
            reasons.Add(Invariant($"first-user-like TTFT averaged {firstMean:F1} ms against a steady {steadyMean:F1} ms over {byLength.Count} lengths ({overall:F2}x, over the {threshold:F2}x threshold)"));
        }

        if (slow.Count > 0)
        {
            reasons.Add(string.Join("; ", slow.Select(l => Explain(l, threshold))));
        }

        if (failureReason is not null)
        {
            reasons.Add(failureReason);
        }

        var reason = isWarm
            ? Invariant($"{overall:F2}x over {byLength.Count} lengths, worst length {worst.PromptTokens} tokens at {worst.Ratio:F2}x ({worst.FirstTtftMs - worst.SteadyTtftMs:F1} ms over steady), within {threshold:F2}x")
            : string.Join("; ", reasons);

        return new Verdict(firstMean, steadyMean, overall, threshold, isWarm, reason)
        {
            ByLength = byLength,
            WorstPromptTokens = worst.PromptTokens,
        };
    }

    private static List<double> SuccessfulTtfts(IReadOnlyList<LengthProbe> probes, int length)
        => probes.Where(p => p.PromptTokens == length && p.Probe.IsSuccess && p.Probe.TtftMs.HasValue)
            .Select(p => p.Probe.TtftMs!.Value)
            .ToList();

    private static string Explain(LengthVerdict l, double threshold)
        => Invariant($"first-user-like TTFT at {l.PromptTokens} prompt tokens was {l.FirstTtftMs:F1} ms against a steady {l.SteadyTtftMs:F1} ms ({l.Ratio:F2}x, over the {threshold:F2}x threshold)");

    private static string Describe(IReadOnlyDictionary<string, int> errors)
        => string.Join(", ", errors.Select(e => $"{e.Key} x{e.Value}"));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
