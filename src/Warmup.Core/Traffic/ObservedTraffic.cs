namespace Warmup.Core.Traffic;

/// <summary>
/// What users sent a target, as the planner needs it: the range of prompt lengths (histogram bucket edges, so as wide
/// as the server's buckets), the most requests seen running at once, and the adapters they used. Planning covers this
/// first (<see cref="TrafficFirst"/>). Small on purpose: it travels in the adaptive loop's state.
/// </summary>
/// <param name="ShortestPrompt">Lower edge of the lowest bucket users' prompts fell in (tokens); null when no prompt was observed.</param>
/// <param name="LongestPrompt">Upper edge of the highest such bucket; null when it is the open-ended last bucket (up to the context).</param>
/// <param name="MaxRunning">Most requests the server had running at once at any check (0 when never seen).</param>
/// <param name="UserRequests">Requests users sent since observation began (Warmup's own taken out).</param>
public sealed record ObservedTraffic(int? ShortestPrompt, int? LongestPrompt, int MaxRunning, long UserRequests)
{
    /// <summary>Adapters users were seen using, the most used first (from the server's metrics; empty when it has none).</summary>
    public IReadOnlyList<string> AdaptersByUse { get; init; } = [];

    /// <summary>Adapters the server holds at once, when its metrics say (vLLM's max_lora).</summary>
    public int? MaxLoadedAdapters { get; init; }

    public bool HasPrompts => ShortestPrompt is not null;

    /// <summary>The observed prompt range clamped to what fits the context: [low, high].</summary>
    public (int Low, int High)? PromptRange(int longest)
    {
        if (ShortestPrompt is not { } low)
        {
            return null;
        }

        var high = Math.Min(LongestPrompt ?? longest, longest);
        low = Math.Clamp(low, 1, high);
        return (low, high);
    }
}
