using Warmup.Core.Planning;
using Warmup.Core.Adaptive;
using Warmup.Core.Targets;

namespace Warmup.Core.ShapeMaps;

/// <summary>Turns the adaptive loop's final state into the map the next warm-up starts from.</summary>
public static class ShapeMapLearning
{
    /// <summary>
    /// Prompt lengths, when the loop ended warm: the lengths that paid a cold path (<see cref="AdaptiveState.PaidLengths"/>:
    /// each compiled a bucket no earlier request had, or verification found it cold), since sent alone again they touch
    /// every bucket this run compiled (each at the middle of its 64-token cell unless another paid length is that near,
    /// <see cref="PrefillRungs.ReplayLength"/>); a
    /// rung that found its bucket already compiled is not kept. When nothing paid and
    /// the run started from a map, the server was warm before it and says nothing new: the map's lengths are kept. When
    /// nothing paid otherwise, none (the next run sends the coarse ladder). When the loop ended before warmth (a budget),
    /// the buckets it did not reach are unknown, so the map keeps what was sent, with rungs where gaps are still wider
    /// than the learned spacing (<see cref="PrefillRungs.Thin"/>), or the sent lengths in cold regions.
    /// KV footprint: kept unless the burst answered within the steady prefill of its tokens. Batch sizes: those around a
    /// cold burst; the sizes the staircases stalled on. Adapters: those that were cold on first use.
    /// </summary>
    public static ShapeMap From(WarmupTarget target, int? maxContext, AdaptiveState state, bool warm, DateTimeOffset learnedAt)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(state);
        var longest = RoundPlanner.Longest(maxContext);
        // When a budget trimmed the last refinement, some gaps are still wider than the spacing: the map fills them, so the
        // next run sends what this one could not.
        var sent = state.SentLengths.Where(l => l <= longest).ToList();
        var paid = state.PaidLengths.Select(l => PrefillRungs.ReplayLength(l, state.PaidLengths, longest)).Distinct().Order().ToList();
        var lengths = warm
            ? paid.Count == 0 && state.FromShapeMap ? state.MapLengths : paid
            : state.Spacing is { } spacing ? PrefillRungs.Thin([.. sent, .. PrefillRungs.Fill(sent, spacing, longest)], spacing) : Local(state, longest);
        var sizes = state.ColdShapes.Where(c => c.Kind == ColdShapeKinds.Batch && c.Size is not null)
            .SelectMany(c => Enumerable.Range(Math.Max(2, c.Size!.Value - 2), 5))
            .Where(s => s <= target.Limits.MaxConcurrency)
            .Distinct()
            .Order()
            .ToList();
        var adapters = state.ColdShapes.Where(c => c.Kind == ColdShapeKinds.Adapter).Select(c => c.Adapter!).Distinct(StringComparer.Ordinal).ToList();
        return new ShapeMap(
            target.Name,
            target.Model,
            maxContext,
            lengths,
            state.Spacing,
            state.SentConcurrencies.DefaultIfEmpty(1).Max(),
            sizes,
            adapters,
            learnedAt,
            warm ? state.Round : null)
        {
            Runs = state.MapRuns + 1,
            KvFootprint = state.KvFootprintPaid ?? true,
            // A learned staircase still passes every size once; a size that was cold after all gets its own bursts (above).
            // Nothing stalled on a run from a map: the server was warm before it, and says nothing new.
            StalledBatchSizes = state.StalledBatchSizes is [] && state.MapStalledBatchSizes is not null ? state.MapStalledBatchSizes : state.StalledBatchSizes,
        };
    }

    /// <summary>
    /// Without a spacing (the coarse ladder was enough, or single cold lengths were refined where they were found): the
    /// coarse ladder and every length sent inside a region found cold, so the next run touches those buckets in round 1;
    /// none when nothing was cold (the next run sends the ladder again).
    /// </summary>
    private static IReadOnlyList<int> Local(AdaptiveState state, int longest)
    {
        var regions = state.ColdShapes.Where(c => c.Kind == ColdShapeKinds.Prefill).ToList();
        if (regions.Count == 0)
        {
            return [];
        }

        return FullPlan.PromptLadder(null, longest).Select(s => s.PromptTokens)
            .Concat(state.SentLengths.Where(l => l <= longest && regions.Any(c => l > c.Low && l <= c.High)))
            .Distinct()
            .Order()
            .ToList();
    }
}
