namespace Warmup.Core.Adapters;

/// <summary>
/// Which adapters a warm-up warms and verifies. All of them (configured, then discovered), unless the server holds fewer
/// at once than it serves: then only as many as it holds, those users use most first (the order its metrics showed them
/// in use), then configured order, then the server's order. The rest would evict the warm ones (or be evicted) and
/// cannot be warm at the same time, so they are neither warmed nor verified, and the loop does not refine on them.
/// </summary>
/// <param name="Warmed">Adapters to warm and verify.</param>
/// <param name="Discovered">Adapters the server listed that were not configured.</param>
/// <param name="LeftOut">Adapters beyond the server's capacity.</param>
/// <param name="Capacity">Adapters the server holds at once, when known.</param>
public sealed record AdapterSelection(IReadOnlyList<string> Warmed, IReadOnlyList<string> Discovered, IReadOnlyList<string> LeftOut, int? Capacity)
{
    /// <summary>Adapters the target configures (warmed first, whatever the server lists).</summary>
    public IReadOnlyList<string> Configured { get; init; } = [];

    /// <param name="capacity">The server's (metrics: vLLM max_lora), else the target's limits.maxLoadedAdapters, else unknown.</param>
    public static AdapterSelection Choose(IReadOnlyList<string> configured, IReadOnlyList<string> discovered, IReadOnlyList<string> byUse, int? capacity)
    {
        ArgumentNullException.ThrowIfNull(configured);
        ArgumentNullException.ThrowIfNull(discovered);
        ArgumentNullException.ThrowIfNull(byUse);
        var added = discovered.Where(d => !configured.Contains(d, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
        var all = configured.Concat(added).Distinct(StringComparer.Ordinal).ToList();
        if (capacity is not { } held || all.Count <= held)
        {
            return new AdapterSelection(all, added, [], capacity) { Configured = [.. configured] };
        }

        var ranked = byUse.Where(a => all.Contains(a, StringComparer.Ordinal)).Concat(all).Distinct(StringComparer.Ordinal).ToList();
        return new AdapterSelection(ranked.Take(held).ToList(), added, ranked.Skip(held).ToList(), capacity) { Configured = [.. configured] };
    }

    /// <summary>What the report says about the adapters (empty when there is nothing to say).</summary>
    public IEnumerable<string> Notes()
    {
        if (Discovered.Count > 0)
        {
            yield return $"adapters listed by the server's /v1/models and warmed without being configured: {string.Join(", ", Discovered)}";
        }

        if (LeftOut.Count > 0)
        {
            yield return $"the server holds {Capacity} adapters at once and serves {Warmed.Count + LeftOut.Count}: they cannot all be warm together; " +
                         $"warmed the {Warmed.Count} users use most ({string.Join(", ", Warmed)}), not {string.Join(", ", LeftOut)} (not verified, and the loop does not retry them)";
        }
    }
}
