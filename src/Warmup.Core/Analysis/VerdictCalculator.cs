using System.Globalization;
using Warmup.Core.Probing;

namespace Warmup.Core.Analysis;

/// <summary>One verification probe and the prompt length it was sent at.</summary>
public sealed record LengthProbe(int PromptTokens, ProbeResult Probe);

/// <summary>
/// Decides warm or not warm. Strict on purpose: the ratio is taken per prompt length (first-user-like TTFT divided by
/// the median steady TTFT at the same length) and the worst length decides; any failed verification probe makes the
/// run not warm, because a user would have seen that failure.
/// </summary>
public static class VerdictCalculator
{
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
            byLength.Add(new LengthVerdict(length, firstMs, steadyMs, firstMs / Math.Max(steadyMs, 1e-3)));
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
        var slow = byLength.Where(l => l.Ratio > threshold).ToList();
        var isWarm = slow.Count == 0 && failed.Count == 0;
        var reasons = new List<string>();
        if (slow.Count > 0)
        {
            reasons.Add(string.Join("; ", slow.Select(l => Explain(l, threshold))));
        }

        if (failureReason is not null)
        {
            reasons.Add(failureReason);
        }

        var reason = isWarm
            ? Invariant($"worst ratio {worst.Ratio:F2}x at {worst.PromptTokens} prompt tokens, within {threshold:F2}x")
            : string.Join("; ", reasons);

        return new Verdict(worst.FirstTtftMs, worst.SteadyTtftMs, worst.Ratio, threshold, isWarm, reason)
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
