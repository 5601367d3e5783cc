using Warmup.Core.Adaptive;
using Warmup.Core.Planning;

namespace Warmup.Core.Traffic;

/// <summary>
/// Puts what users actually send first in an adaptive round: prompt rungs across the observed prompt range, and one
/// burst of the observed peak concurrency (capped by the target's limit) with prompts from that range. The round's
/// budget trim drops steps from the end, so these are the last to go. Rungs are spaced no finer than
/// <see cref="PrefillRungs.MinSpacing"/> tokens (no engine compiles finer prefill shapes) and at most
/// <see cref="MaxRangeRungs"/> per range, so a wide range costs a bounded number of requests.
/// </summary>
public static class TrafficFirst
{
    public const int MaxRangeRungs = 16;

    /// <summary>Lengths from the low to the high end of the observed range (both included), evenly spaced.</summary>
    public static IReadOnlyList<int> RangeRungs(ObservedTraffic traffic, int longest)
    {
        ArgumentNullException.ThrowIfNull(traffic);
        if (traffic.PromptRange(longest) is not { } range)
        {
            return [];
        }

        var (low, high) = range;

        // As many as fit at no less than the minimum spacing, at most MaxRangeRungs, evenly over the range.
        var count = Math.Min(MaxRangeRungs, ((high - low) / PrefillRungs.MinSpacing) + 1);
        var rungs = new List<int>(count);
        for (var i = 0; i < count; i++)
        {
            rungs.Add(count == 1 ? high : low + (int)((long)(high - low) * i / (count - 1)));
        }

        return rungs;
    }

    /// <summary>
    /// <paramref name="steps"/> with the observed traffic first: the range's rungs (and any step of the plan already in
    /// the range), then the burst at the observed peak, then the rest in their order. Unchanged without observations.
    /// </summary>
    public static List<PlanStep> Prioritise(IReadOnlyList<PlanStep> steps, ObservedTraffic? traffic, int longest, int maxConcurrency, List<string> notes)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(notes);
        if (traffic is null)
        {
            return [.. steps];
        }

        var first = new List<PlanStep>();
        var observedRange = traffic.PromptRange(longest);
        if (observedRange is { } range)
        {
            var (low, high) = range;
            var inRange = steps.Where(s => IsPrefillRung(s) && s.PromptTokens >= low && s.PromptTokens <= high).Select(s => s.PromptTokens);
            first.AddRange(RangeRungs(traffic, longest).Concat(inRange).Distinct().Order().Select(l => new PlanStep(l, FullPlan.PrefillOutputTokens, 1)));
            notes.Add($"users sent prompts of {low}-{high} tokens ({traffic.UserRequests} requests observed): that range is warmed first, {first.Count} lengths");
        }

        var peak = Math.Min(traffic.MaxRunning, Math.Max(1, maxConcurrency));
        if (peak > 1)
        {
            var prompt = observedRange is { } r ? (r.Low + r.High) / 2 : VerificationPlan.BurstPromptTokens;
            first.Add(new PlanStep(prompt, FullPlan.PrefillOutputTokens, peak));
            notes.Add(traffic.MaxRunning > peak
                ? $"users had up to {traffic.MaxRunning} requests running at once; warmed first at the target's limit of {peak}"
                : $"users had up to {traffic.MaxRunning} requests running at once: a burst of {peak} is warmed first");
        }

        var rest = steps.Where(s => !first.Any(f => f.PromptTokens == s.PromptTokens && f.Concurrency == s.Concurrency && s.Adapter is null && !s.Staircase));
        return [.. first, .. rest];
    }

    private static bool IsPrefillRung(PlanStep step) => step.Concurrency == 1 && step.Adapter is null && !step.Staircase;
}
