using Warmup.Core.Analysis;
using Warmup.Core.Planning;

namespace Warmup.Core.Adaptive;

/// <summary>
/// Which of a round's warm-up requests paid a cold path: the evidence the shape map keeps, so the next warm-up of the
/// same target replays only the lengths that compiled something. A rung runs alone (see <see cref="RoundPlan.MaxInFlight"/>),
/// so its first token is its own prefill plus whatever it had to compile. It paid a cold path when that first token is
/// beyond what the round's verification measured as steady at that length, judged the way the verdict judges a shape:
/// over the threshold AND slower by more than its smallest noise allowance (see <see cref="IsCold"/>). A rung whose
/// bucket an earlier rung had already compiled answers like steady and is dropped. Where there is no usable steady
/// reference (a failed request, a length outside the verified range, no verified length at all) the rung is kept: a
/// length too many costs one request, a length too few costs a round.
/// </summary>
public static class PaidColdPaths
{
    /// <summary>
    /// The base-model prompt lengths of <paramref name="steps"/> (single requests) that paid a cold path, and every length
    /// <paramref name="verdict"/> found cold (verification itself warmed that bucket, so no rung of this round shows it).
    /// A rung's length is the prompt tokens it really sent where known (the prompt factory lands within a tolerance of
    /// the length asked for), since that is the length whose bucket it compiled.
    /// </summary>
    public static IReadOnlyList<int> Lengths(IReadOnlyList<StepResult> steps, Verdict verdict)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(verdict);
        var paid = Rungs(steps, verdict).Where(r => r.Paid != false).Select(r => r.Sent);
        var verified = Verified(verdict).Where(l => l.Paid).Select(l => l.Length);
        return paid.Concat(verified).Distinct().Order().ToList();
    }

    /// <summary>
    /// Each rung of <paramref name="steps"/> in the order sent: the length it was planned at, the length it really sent
    /// (the prompt factory lands within a tolerance of the one asked for), and whether it paid a cold path: judged
    /// against the verified steady line, null where it cannot be (failed, or outside the verified lengths).
    /// </summary>
    public static IReadOnlyList<(int Planned, int Sent, bool? Paid)> Rungs(IReadOnlyList<StepResult> steps, Verdict verdict)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(verdict);
        var steady = SteadyLine.From(verdict);
        return steps.Where(IsRung)
            .Select(s => (
                s.Step.PromptTokens,
                s.PromptTokens > 0 && s.Requests == 1 ? (int)s.PromptTokens : s.Step.PromptTokens,
                Answered(s) && steady.Expected(s.Step.PromptTokens) is { } expected ? IsCold(s.TtftMs.P50, expected, verdict) : (bool?)null))
            .ToList();
    }

    /// <summary>
    /// Each verified length in the order sent, and whether its first request paid a cold path: when the verdict called it
    /// cold, and also when it was beyond its steady by this class's rule (the verdict leaves the warmer's own stalls
    /// out, which on a loaded machine can excuse a real compile, and a bucket verification compiled unnoticed would be
    /// missing from the map).
    /// </summary>
    public static IReadOnlyList<(int Length, bool Paid)> Verified(Verdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        return verdict.ByLength.Select(l => (l.PromptTokens, l.IsCold || IsCold(l.FirstTtftMs, l.SteadyTtftMs, verdict))).ToList();
    }

    /// <summary>
    /// Whether the KV-footprint burst (<see cref="RoundPlan.KvFootprintStep"/>) paid a cold path: its slowest first token
    /// waited for the prefill of every prompt of the burst, so it is compared with the steady prefill of that many
    /// tokens (the steady TTFT of the longest verified length, per token). A server that preallocates its KV cache
    /// answers within that; one that grows it lazily pays the growth on top. True (keep the burst) when it cannot be
    /// judged (no result of it, no verified length).
    /// </summary>
    public static bool KvFootprintPaid(IReadOnlyList<StepResult> steps, PlanStep kvFootprint, Verdict verdict)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(kvFootprint);
        ArgumentNullException.ThrowIfNull(verdict);
        var bursts = steps.Where(s => s.Phase == Phases.Warmup && s.Step == kvFootprint).ToList();
        var longest = verdict.ByLength.MaxBy(l => l.PromptTokens);
        if (bursts.Count == 0 || longest is null || longest.SteadyTtftMs <= 0)
        {
            return true;
        }

        return bursts.Any(b => !Answered(b)
            || IsCold(b.TtftMs.Max, longest.SteadyTtftMs / longest.PromptTokens * b.Step.Concurrency * b.Step.PromptTokens, verdict));
    }

    private static bool IsRung(StepResult step)
        => step.Phase == Phases.Warmup && step.Step.Adapter is null && step.Step.Concurrency == 1 && !step.Step.Staircase;

    private static bool Answered(StepResult step) => step.Succeeded == step.Requests && step.TtftMs.Count > 0;

    /// <summary>
    /// The verdict's rule for one shape, with its smallest allowance: over the threshold and more than
    /// <see cref="VerdictCalculator.MinColdExcessMs"/> over steady. Not the run's noise floor: the verdict widens that to
    /// its worst steady hiccup so that it never cries wolf, but here the costly mistake is the other one. A warm rung
    /// kept by mistake costs one request next time; a paying rung dropped leaves a bucket cold. The benchmark on a loaded
    /// machine showed it: judged with the run's floor (tens of ms), compiles of 25-65 ms were excused and the map run left
    /// 4-6 buckets cold.
    /// </summary>
    private static bool IsCold(double firstMs, double expectedMs, Verdict verdict)
        => firstMs / Math.Max(expectedMs, 1e-3) > verdict.Threshold && firstMs - expectedMs > VerdictCalculator.MinColdExcessMs;

    /// <summary>Steady TTFT against prompt length, from the verified lengths' steady medians.</summary>
    private sealed class SteadyLine(IReadOnlyList<(int Length, double Ms)> points)
    {
        public static SteadyLine From(Verdict verdict)
            => new(verdict.ByLength.Where(l => l.SteadyTtftMs > 0)
                .GroupBy(l => l.PromptTokens)
                .Select(g => (g.Key, g.Average(l => l.SteadyTtftMs)))
                .OrderBy(p => p.Key)
                .ToList());

        /// <summary>
        /// Interpolated between the two verified lengths around <paramref name="length"/>; null outside the verified
        /// range, where an extrapolation could excuse a real cold path.
        /// </summary>
        public double? Expected(int length)
        {
            if (points.Count == 0 || length < points[0].Length || length > points[^1].Length)
            {
                return null;
            }

            var above = points.First(p => p.Length >= length);
            if (above.Length == length)
            {
                return above.Ms;
            }

            var below = points.Last(p => p.Length < length);
            var t = (double)(length - below.Length) / (above.Length - below.Length);
            return below.Ms + (t * (above.Ms - below.Ms));
        }
    }
}
