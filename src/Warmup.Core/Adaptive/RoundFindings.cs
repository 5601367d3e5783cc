using Warmup.Core.Analysis;
using Warmup.Core.Planning;

namespace Warmup.Core.Adaptive;

/// <summary>
/// Folds one finished round into the loop's state: what it sent (now warm), what it spent, which cold shapes its
/// verification met, and which earlier cold regions verified warm this time. Pure and deterministic, so the orchestrator
/// can call it between activities.
/// </summary>
public static class RoundFindings
{
    /// <param name="steps">The round's warm-up results: which of its requests paid a cold path (<see cref="PaidColdPaths"/>).</param>
    /// <param name="verdict">The round's verification; for a <see cref="RoundPlan.ProbeOnly"/> round, the last one (its steady line judges the rungs).</param>
    public static AdaptiveState Record(AdaptiveState state, RoundPlan round, Verdict verdict, long tokensSpent, int longest, IReadOnlyList<StepResult>? steps = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(round);
        ArgumentNullException.ThrowIfNull(verdict);
        var number = state.Round + 1;
        var lengths = state.SentLengths
            .Concat(round.Plan.Steps.Where(s => s.Adapter is null).Select(s => s.PromptTokens))
            .Concat(round.Mix.PromptLengths)
            .Concat(round.Mix.Concurrencies.Count > 0 ? [VerificationPlan.BurstPromptTokens] : [])
            .Distinct()
            .Order()
            .ToList();
        var concurrencies = state.SentConcurrencies
            .Concat(round.Plan.Steps.SelectMany(s => s.Staircase ? s.Levels ?? Enumerable.Range(1, s.Concurrency) : [s.Concurrency]))
            .Concat(round.Mix.Concurrencies)
            .Distinct()
            .Order()
            .ToList();

        var shapes = state.ColdShapes.Select(c => c.WarmedInRound is null && IsClean(c, verdict) ? c with { WarmedInRound = number } : c).ToList();
        var coldLengths = verdict.ByLength.Where(l => l.IsCold).Select(l => l.PromptTokens).ToList();
        if (!verdict.IsWarm && coldLengths.Count == 0 && verdict.ByConcurrency.All(b => !b.IsCold) && verdict.ColdAdapters.Count == 0
            && verdict.WorstPromptTokens is { } worst)
        {
            // Slow on average without one length standing out: refine around the worst one.
            coldLengths.Add(worst);
        }

        foreach (var length in coldLengths)
        {
            var (low, high) = PrefillRungs.Neighbours(lengths.Where(l => l != length).ToList(), length, longest);
            shapes.Add(new ColdShape(ColdShapeKinds.Prefill, length, null, number, low, high));
        }

        foreach (var burst in verdict.ByConcurrency.Where(b => b.IsCold))
        {
            var others = concurrencies.Where(c => c != burst.Concurrency).ToList();
            var low = others.Where(c => c < burst.Concurrency).DefaultIfEmpty(0).Max();
            var high = others.Where(c => c > burst.Concurrency).DefaultIfEmpty(burst.Concurrency).Min();
            shapes.Add(new ColdShape(ColdShapeKinds.Batch, burst.Concurrency, null, number, low, high));
        }

        shapes.AddRange(verdict.ColdAdapters.Select(a => new ColdShape(ColdShapeKinds.Adapter, null, a, number, 0, 0)));
        if (verdict.IsWarm)
        {
            shapes = shapes.Select(c => c.WarmedInRound is null ? c with { WarmedInRound = number } : c).ToList();
        }

        var rungs = PaidColdPaths.Rungs(steps ?? [], verdict);
        var history = state.History
            .Concat(rungs.Select(r => new SentLength(r.Planned, r.Paid)))
            .Concat(round.ProbeOnly ? [] : PaidColdPaths.Verified(verdict).Select(l => new SentLength(l.Length, l.Paid)))
            .ToList();
        var notes = state.Notes;
        if (round.ProbeOnly)
        {
            var paid = rungs.Where(r => r.Paid == true).Select(r => r.Sent).ToList();
            notes = [.. notes, $"round {number}: {paid.Count} of {round.Plan.Steps.Count} rungs where a bucket may lie unseen paid a compile{(paid.Count > 0 ? $" (a bucket there was cold, now warm: {string.Join(", ", paid)} tokens)" : "")}"];
        }

        // One round of midpoints, after a warm verification of a round that refined (the server showed buckets narrower than
        // the ladder's); never after a learned map's replay (its lengths are the buckets the run that learned it found).
        var midpoints = verdict.IsWarm && !round.ProbeOnly && !(state.FromShapeMap && state.Round == 0)
            && (state.Spacing is not null || state.SpacingRatio is not null)
            ? HiddenBuckets.Midpoints(history).Where(m => m <= longest).ToList()
            : [];

        return state with
        {
            Round = number,
            Notes = notes,
            History = history,
            Midpoints = midpoints,
            TokensSpent = state.TokensSpent + tokensSpent,
            SentLengths = lengths,
            SentConcurrencies = concurrencies,
            ColdShapes = shapes,
            PaidLengths = state.PaidLengths.Concat(PaidColdPaths.Lengths(steps ?? [], verdict)).Distinct().Order().ToList(),
            StalledBatchSizes = Stalls(state.StalledBatchSizes, steps ?? []),
            KvFootprintPaid = round.KvFootprintStep is null ? state.KvFootprintPaid : PaidColdPaths.KvFootprintPaid(steps ?? [], round.KvFootprintStep, verdict),
        };
    }

    /// <summary>The batch sizes every staircase so far stalled on; null while none was measured.</summary>
    private static IReadOnlyList<int>? Stalls(IReadOnlyList<int>? known, IReadOnlyList<StepResult> steps)
    {
        var measured = steps.Where(s => s.Phase == Phases.Warmup && s.Step.Staircase && s.StalledBatchSizes is not null).ToList();
        return measured.Count == 0 ? known : [.. (known ?? []).Concat(measured.SelectMany(s => s.StalledBatchSizes!)).Distinct().Order()];
    }

    /// <summary>Whether this round's verification found nothing cold in the shape's region.</summary>
    private static bool IsClean(ColdShape shape, Verdict verdict) => shape.Kind switch
    {
        ColdShapeKinds.Adapter => !verdict.ColdAdapters.Contains(shape.Adapter!, StringComparer.Ordinal),
        ColdShapeKinds.Batch => !verdict.ByConcurrency.Any(b => b.IsCold && b.Concurrency >= shape.Low && b.Concurrency <= shape.High),
        _ => verdict.ByLength.Count > 0 && !verdict.ByLength.Any(l => l.IsCold && l.PromptTokens >= shape.Low && l.PromptTokens <= shape.High),
    };
}
