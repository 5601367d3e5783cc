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
        var lengths = state.Spacing is { } spacing ? PrefillRungs.Thin([.. sent, .. PrefillRungs.Fill(sent, spacing, longest)], spacing) : [];
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
}
