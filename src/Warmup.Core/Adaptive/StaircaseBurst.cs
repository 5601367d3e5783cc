using Warmup.Core.Planning;

namespace Warmup.Core.Adaptive;

/// <summary>
/// Warms every decode batch size up to N without knowing which sizes the server captures: N requests released together
/// with distinct exact output lengths finish one by one, so the running batch passes N, N−1, …, 1, and each size runs
/// for <see cref="TokensPerStair"/> decode steps. Cost: about N²·k/2 output tokens for k tokens per stair. It needs exact
/// output lengths (min_tokens/ignore_eos); where the dialect cannot force them, <see cref="Steps"/> falls back to one
/// burst per batch size.
/// </summary>
public static class StaircaseBurst
{
    /// <summary>Decode steps each batch size is held for: 2, so a request admitted one scheduler step late still overlaps it.</summary>
    public const int TokensPerStair = 2;

    /// <summary>A short prompt: the staircase is about decode batch sizes, not prefill shapes.</summary>
    public const int PromptTokens = 32;

    /// <summary>Output tokens of the fallback bursts: enough decode steps for the batch to run at its size.</summary>
    public const int FallbackOutputTokens = 4;

    /// <summary>
    /// Exact output length of request <paramref name="index"/> (0-based) of a staircase step. Request i is one of the
    /// last N − i to finish, so it decodes through every stair of at least N − i requests: without
    /// <see cref="PlanStep.Levels"/>, request i gets (i + 1) stairs of <see cref="PlanStep.MaxOutputTokens"/> / N steps
    /// and the batch steps down one size at a time; with them, one decode step per entry at or above N − i.
    /// </summary>
    public static int OutputTokensFor(PlanStep step, int index)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (!step.Staircase)
        {
            return step.MaxOutputTokens;
        }

        if (step.Levels is not { } levels)
        {
            return Math.Max(1, (int)((long)step.MaxOutputTokens * (index + 1) / step.Concurrency));
        }

        return Math.Max(1, levels.Count(size => size >= step.Concurrency - index));
    }

    /// <summary>
    /// The staircase a learned shape map allows: every size once (one decode step each, so a size the stall detector
    /// missed is still passed: it times a shared client's reads of hundreds of streams, which a 7 ms capture can drown
    /// in), and the sizes the server stalled on last time, the size below each (a count one off still lands on the
    /// size, and a server that pads a batch to the next size it captured runs the size below on the same graph) and the
    /// top for <see cref="TokensPerStair"/> steps, as the full staircase holds every size. Cost: about N²/2 output tokens
    /// plus the held sizes, instead of N².
    /// </summary>
    public static PlanStep Learned(IReadOnlyList<int> stalledSizes, int top)
    {
        ArgumentNullException.ThrowIfNull(stalledSizes);
        var held = stalledSizes.SelectMany(size => new[] { size, size - 1 }).Append(top).ToHashSet();
        var levels = Enumerable.Range(1, top)
            .SelectMany(size => Enumerable.Repeat(size, held.Contains(size) ? TokensPerStair : 1))
            .OrderDescending()
            .ToList();
        return new PlanStep(PromptTokens, levels.Count, top) { Staircase = true, Levels = levels };
    }

    /// <summary>
    /// The steps that pass the batch through every size from <paramref name="top"/> down to <paramref name="from"/>:
    /// one staircase when the dialect forces output lengths, else one burst per size (a note says so).
    /// </summary>
    public static IReadOnlyList<PlanStep> Steps(int from, int top, bool forcesOutputLength, List<string> notes)
    {
        ArgumentNullException.ThrowIfNull(notes);
        if (top < 2 || top < from)
        {
            return [];
        }

        if (forcesOutputLength)
        {
            return [new PlanStep(PromptTokens, TokensPerStair * top, top) { Staircase = true }];
        }

        notes.Add($"the dialect cannot force exact output lengths, so batch sizes {Math.Max(2, from)}-{top} were warmed with one burst per size instead of one staircase burst");
        return Enumerable.Range(Math.Max(2, from), top - Math.Max(2, from) + 1)
            .Select(size => new PlanStep(PromptTokens, FallbackOutputTokens, size))
            .ToList();
    }
}
