using Warmup.Core.Planning;

namespace Warmup.Core.Adaptive;

/// <summary>
/// The verification of a refinement round (round 2 on): the user-like mix of that round narrowed to what the previous
/// round found cold, plus a fresh sample. Round 1 verified the whole mix; a refinement round only changed the server
/// around what was cold, so it re-checks there (a fresh length inside each cold region, the cold batch sizes again)
/// and, so that a bucket the earlier mixes never landed in still has a chance to show, half of the round's fresh
/// lengths across the context. Adapters and the top concurrency stay (cheap, and an adapter can be evicted by the
/// others' reloads). This halves the cost of the rounds that a noisy shape or a fine-bucketed server adds. Round 1 of a
/// run that starts from a learned shape map verifies half the mix's lengths too.
/// </summary>
public static class LaterRoundMix
{
    public static VerificationPlan Narrow(VerificationPlan mix, WarmupPlan plan, AdaptiveState state, int round)
    {
        ArgumentNullException.ThrowIfNull(mix);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(state);
        // The users' own range (observed traffic) opens every round's mix and is never narrowed away: it is what the
        // next user sends.
        var usersFirst = state.Traffic is { HasPrompts: true } ? mix.PromptLengths.Take(VerificationPlan.ObservedPoints).ToList() : [];
        var rest = mix.PromptLengths.Skip(usersFirst.Count).ToList();
        if (round == 0 && state.FromShapeMap)
        {
            // A learned map's round 1 confirms what an earlier run verified: half the lengths (the longest kept) and the
            // bursts and adapters as usual. Anything cold still starts the refinement rounds.
            return mix with { PromptLengths = [.. usersFirst, .. HalfOf(rest).Order()] };
        }

        var latest = state.ColdShapes.Where(c => c.FoundInRound == state.Round).ToList();
        if (round == 0 || latest.Count == 0)
        {
            return mix;
        }

        var prefill = latest.Where(c => c.Kind == ColdShapeKinds.Prefill).ToList();
        bool InColdRegion(int length) => prefill.Any(c => length > c.Low && length < c.High);
        var inRegions = rest.Where(InColdRegion).ToList();
        var sample = HalfOf(rest.Where(l => !InColdRegion(l)).ToList());
        var fresh = prefill.Where(c => !inRegions.Any(l => l > c.Low && l < c.High)).Select(FreshLengthIn);
        // A length this round's plan or an earlier round sent exactly says nothing about users' lengths: one token on.
        var sent = state.SentLengths.Concat(plan.Steps.Select(s => s.PromptTokens)).ToHashSet();
        var lengths = inRegions.Concat(sample).Concat(fresh.Select(l => sent.Contains(l) ? l + 1 : l))
            .Where(l => l > 0 && !usersFirst.Contains(l))
            .Distinct()
            .Order()
            .ToList();

        var batches = latest.Where(c => c.Kind == ColdShapeKinds.Batch && c.Size is not null).ToList();
        var top = mix.Concurrencies.DefaultIfEmpty(0).Max();
        var concurrencies = mix.Concurrencies
            .Where(c => c == top || batches.Any(b => c >= b.Low && c <= b.High))
            .Concat(batches.Select(b => b.Size!.Value).Where(size => size <= top))
            .Distinct()
            .Order()
            .ToList();

        return mix with { PromptLengths = [.. usersFirst, .. lengths], Concurrencies = concurrencies };
    }

    /// <summary>Every other length from the longest down: a sample spread over the whole context, its top bucket included.</summary>
    private static IEnumerable<int> HalfOf(IReadOnlyList<int> lengths)
        => lengths.OrderDescending().Where((_, i) => i % 2 == 0);

    /// <summary>
    /// A length inside the cold shape's region that no one has sent: the middle of the wider side of it (the cold length
    /// itself was compiled by the verification that found it, so it says nothing now).
    /// </summary>
    private static int FreshLengthIn(ColdShape shape)
    {
        var size = shape.Size ?? ((shape.Low + shape.High) / 2);
        return size - shape.Low >= shape.High - size ? (shape.Low + size + 1) / 2 : (size + shape.High + 1) / 2;
    }
}
