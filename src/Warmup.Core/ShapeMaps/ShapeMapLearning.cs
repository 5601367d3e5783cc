using Warmup.Core.Planning;
using Warmup.Core.Adaptive;
using Warmup.Core.Targets;

namespace Warmup.Core.ShapeMaps;

/// <summary>Turns the adaptive loop's final state into the map the next warm-up starts from.</summary>
public static class ShapeMapLearning
{
    /// <summary>
    /// Prompt lengths: when the loop learned a rung spacing, the fewest sent lengths (with rungs where a gap is still
    /// wider) that keep every gap within it (<see cref="PrefillRungs.Thin"/>); when the coarse ladder was enough, none (the next run sends the ladder again).
    /// Batch sizes: those around a cold burst. Adapters: those that were cold on first use.
    /// </summary>
    public static ShapeMap From(WarmupTarget target, int? maxContext, AdaptiveState state, bool warm, DateTimeOffset learnedAt)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(state);
        var longest = RoundPlanner.Longest(maxContext);
        // When a budget trimmed the last refinement, some gaps are still wider than the spacing: the map fills them, so the
        // next run sends what this one could not.
        var sent = state.SentLengths.Where(l => l <= longest).ToList();
        var lengths = state.Spacing is { } spacing ? PrefillRungs.Thin([.. sent, .. PrefillRungs.Fill(sent, spacing, longest)], spacing) : Local(state, longest);
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
            warm ? state.Round : null);
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
