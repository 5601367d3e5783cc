using System.Globalization;
using Warmup.Core.Analysis;
using Warmup.Core.Planning;
using Warmup.Core.ShapeMaps;
using Warmup.Core.Targets;

namespace Warmup.Core.Adaptive;

/// <summary>One round of the adaptive loop: the steps to send, the user-like mix to verify with, and the state so far.</summary>
/// <param name="Stop">Set when the loop must not run this round (a budget ends it, or nothing is left to refine); see <see cref="LoopStops"/>.</param>
/// <param name="MaxInFlight">
/// Most requests the round may have in flight at once: 1, so each step runs alone. A rung sent alone has a first token
/// that is its own prefill plus whatever it compiled, which says whether it paid a cold path (<see cref="PaidColdPaths"/>:
/// the shape map keeps only those); rungs sent together wait behind each other's prefills and compiles, so every one
/// looks cold. A burst alone holds its own batch size. A burst's own concurrency is never split.
/// </param>
public sealed record RoundPlan(WarmupPlan Plan, VerificationPlan Mix, AdaptiveState State, int MaxInFlight, string? Stop = null)
{
    /// <summary>The KV-footprint burst of this round (round 1 only), so its result can be told apart; null when none was planned.</summary>
    public PlanStep? KvFootprintStep { get; init; }

    /// <summary>
    /// A round of rungs where a bucket may lie unseen (<see cref="AdaptiveState.Midpoints"/>) after a warm verification,
    /// with no verification of its own: its rungs only add compiled buckets to a server verified warm, so that verdict
    /// stands, and each rung is judged against that verification's steady line.
    /// </summary>
    public bool ProbeOnly { get; init; }

    /// <summary>Tokens the whole loop may spend (the target's maxTokensPerRun).</summary>
    public long TokenBudget { get; init; }

    public int MaxRounds { get; init; }
}

/// <summary>
/// Plans the rounds of the adaptive loop. Round 1 starts from what is known: the target's shape map when it fits the
/// model, else the coarse ladder (the full preset's prompt rungs and adapters) with one staircase burst up to the
/// target's concurrency limit. Later rounds refine around what verification found cold: rungs between the neighbouring
/// warm lengths (<see cref="PrefillRungs"/>), bursts at the batch sizes around a cold one, a reload of a cold adapter.
/// Every round fits what is left of the token budget with its verification, or the loop stops. Pure: the activity
/// around it supplies the map and the dialect's abilities.
/// </summary>
public static class RoundPlanner
{
    public static RoundPlan First(
        PlanSpec spec, WarmupTarget target, int? maxContext, bool forcesOutputLength, ShapeMap? map, AdaptiveBudget budget, Traffic.ObservedTraffic? traffic = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(budget);
        var longest = Longest(maxContext);
        var top = Math.Max(1, target.Limits.MaxConcurrency);
        var notes = new List<string>();
        var state = new AdaptiveState { Traffic = traffic };
        var rungs = new List<PlanStep>();
        var bursts = new List<PlanStep>();
        if (map is not null)
        {
            state = state with
            {
                FromShapeMap = true, Spacing = map.Spacing, MapLengths = map.PromptLengths, MapRuns = map.Runs, MapStalledBatchSizes = map.StalledBatchSizes,
                KvFootprintPaid = map.KvFootprint ? null : false,
            };
            notes.Add(Invariant($"started from the shape map learned {map.LearnedAt:yyyy-MM-dd HH:mm} UTC ({map.PromptLengths.Count} prompt lengths, batch sizes to {map.StaircaseTop}); warm-up {map.Runs + 1} of it, verifying at lengths the earlier ones did not"));
            // A map without lengths means the coarse ladder was enough for this server.
            rungs.AddRange(map.PromptLengths.Count == 0
                ? FullPlan.PromptLadder(target.PromptBuckets, longest)
                : map.PromptLengths.Where(l => l <= longest).Select(l => new PlanStep(l, FullPlan.PrefillOutputTokens, 1)));
            bursts.AddRange(map.BatchSizes.Where(s => s > 1 && s <= top).Select(s => new PlanStep(StaircaseBurst.PromptTokens, StaircaseBurst.FallbackOutputTokens, s)));
        }
        else
        {
            rungs.AddRange(FullPlan.PromptLadder(target.PromptBuckets, longest));
        }

        var adapters = target.Adapters.Select(a => new PlanStep(FullPlan.AdapterPromptTokens, FullPlan.PrefillOutputTokens, 1, a));
        var staircase = map is { StalledBatchSizes: { } stalled } && map.StaircaseTop >= top && forcesOutputLength && top > 1
            ? LearnedStaircase(stalled, top, notes)
            : StaircaseBurst.Steps(1, top, forcesOutputLength, notes);
        // The KV-footprint burst is left out only when the map says the last one paid nothing (a server that
        // preallocates its KV cache); a map from before that was judged (KvFootprint true) keeps it.
        var kv = map is { KvFootprint: false } ? [] : KvFootprint(longest, top).ToList();
        if (map is { KvFootprint: false } && top > 1)
        {
            notes.Add("no KV-footprint burst: the shape map's last one answered within the steady prefill of its tokens (the server does not grow its KV cache on demand)");
        }

        var steps = rungs.Concat(adapters).Concat(staircase).Concat(bursts).Concat(kv).ToList();
        // What users send goes first, so the budget trim (from the end) is the last to reach it.
        steps = Traffic.TrafficFirst.Prioritise(steps, traffic, longest, top, notes);
        var first = Fit(steps, target, maxContext, state with { Notes = notes }, budget, round: 0);
        return kv.Count > 0 && first.Plan.Steps.Contains(kv[0]) ? first with { KvFootprintStep = kv[0] } : first;
    }

    public static RoundPlan Next(WarmupTarget target, int? maxContext, bool forcesOutputLength, AdaptiveState state, AdaptiveBudget budget)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(budget);
        var notes = new List<string>(state.Notes);
        var longest = Longest(maxContext);
        var top = Math.Max(1, target.Limits.MaxConcurrency);
        if (state.Round >= budget.MaxRounds)
        {
            return Stopped(state, target, budget, LoopStops.Rounds, notes);
        }

        if (state.Midpoints.Count > 0)
        {
            notes.Add($"round {state.Round + 1}: {state.Midpoints.Count} rungs, no verification: the middle of gaps between sent lengths wider than any bucket shown near them, where a whole bucket may lie unseen");
            return Fit(state.Midpoints.Select(m => new PlanStep(m, FullPlan.PrefillOutputTokens, 1)).ToList(), target, maxContext, state with { Notes = notes, Midpoints = [] }, budget, state.Round, probeOnly: true);
        }

        var latest = state.ColdShapes.Where(c => c.FoundInRound == state.Round).ToList();
        var steps = new List<PlanStep>();

        // Prefill: the gaps the cold lengths were found in set the spacing for every gap.
        var prefill = latest.Where(c => c.Kind == ColdShapeKinds.Prefill).ToList();
        var (spacing, ratio, rungs) = PrefillRefinement(prefill, state, longest);
        var near = prefill.Select(c => c.Size ?? 0).ToList();
        // Nearest the cold lengths first, so a budget trim drops the rungs least likely to matter.
        steps.AddRange(rungs.Where(r => !state.SentLengths.Contains(r)).Distinct()
            .OrderBy(r => near.Min(n => Math.Abs(n - r)))
            .Select(r => new PlanStep(r, FullPlan.PrefillOutputTokens, 1)));

        // Batch sizes: the sizes around a cold one, one burst each (any integer may be a captured size).
        var sizes = latest.Where(c => c.Kind == ColdShapeKinds.Batch && c.Size is not null)
            .SelectMany(c => Enumerable.Range(Math.Max(2, c.Size!.Value - 2), 5))
            .Where(size => size <= top)
            .Distinct()
            .Order()
            .ToList();
        steps.AddRange(sizes.Select(size => new PlanStep(StaircaseBurst.PromptTokens, StaircaseBurst.FallbackOutputTokens, size)));

        // Adapters: reload a cold one once; cold again after that means the server holds fewer adapters than it serves.
        var rewarmed = new List<string>(state.RewarmedAdapters);
        foreach (var adapter in latest.Where(c => c.Kind == ColdShapeKinds.Adapter).Select(c => c.Adapter!).Distinct(StringComparer.Ordinal))
        {
            if (rewarmed.Contains(adapter, StringComparer.Ordinal))
            {
                notes.Add($"adapter '{adapter}' was cold again after it was re-warmed: the server holds fewer adapters at once than it serves, so they cannot all be warm together; the loop does not retry it");
                continue;
            }

            rewarmed.Add(adapter);
            steps.Add(new PlanStep(FullPlan.AdapterPromptTokens, FullPlan.PrefillOutputTokens, 1, adapter));
        }

        var next = state with { Spacing = spacing, SpacingRatio = ratio, RewarmedAdapters = rewarmed, Notes = notes };
        if (steps.Count == 0)
        {
            var unexplained = latest.Where(c => c.Kind != ColdShapeKinds.Adapter).ToList();
            if (unexplained.Count == 0)
            {
                return Stopped(next, target, budget, LoopStops.NothingToRefine, notes);
            }

            // Every gap is already within the spacing, so more rungs would repeat what was sent: the slow first request
            // was noise or a shape verification itself has warmed since. Verify again with fresh lengths and salts.
            notes.Add($"round {state.Round + 1}: nothing to add around {string.Join(", ", unexplained.Select(c => c.Describe()))}; verifying again with fresh lengths");
            return Fit(steps, target, maxContext, next with { Notes = notes }, budget, state.Round, verificationOnly: true);
        }

        // Concurrency-1 steps first (one level), then bursts by size: the plan's levels run in order.
        steps = [.. steps.Where(x => x.Concurrency == 1), .. steps.Where(x => x.Concurrency > 1)];
        return Fit(steps, target, maxContext, next, budget, state.Round);
    }

    /// <summary>
    /// Most rungs one cold length may add across the whole context (about one verification's worth): a coarse spacing
    /// from one finding is cheap to act on everywhere, a fine one (a slow short prompt in a tiny gap) needs a second.
    /// </summary>
    public const int MaxRungsOnOneFinding = 12;

    /// <summary>
    /// The rungs a round adds around cold lengths, and the spacing it has learned. A cold length between two sent lengths
    /// lies in a bucket narrower than that gap (both ends are compiled): that bounds the buckets, so when two or more
    /// cold lengths say so, every gap of the context gets rungs at the new spacing, and every stretch still wider than the
    /// new ratio (<see cref="PrefillRungs.RatioFor"/>) gets rungs too: buckets that grow with the length are narrower
    /// below the cold lengths than the spacing they set, and those rungs are short, so they cost little. A single cold
    /// length does so only when that costs at most <see cref="MaxRungsOnOneFinding"/> rungs, or when an earlier round's
    /// cold length lay in a gap no wider than the spacing now known (buckets narrower than it exist); else it refines its own gap:
    /// one slow first request (noise, or one odd bucket) must not set a fine spacing for the whole context, which cost 37
    /// times the cheapest warm-up on a server with doubling buckets; if the buckets really are that narrow everywhere,
    /// the next verification finds more. A cold length above every sent length bounds nothing (its bucket may run past
    /// the end of the context): the stretch from the last sent length to the longest prompt gets rungs of its own.
    /// </summary>
    private static (int? Spacing, double? Ratio, List<int> Rungs) PrefillRefinement(IReadOnlyList<ColdShape> prefill, AdaptiveState state, int longest)
    {
        var rungs = new List<int>();
        var (spacing, ratio) = (state.Spacing, state.SpacingRatio);
        var bounded = prefill.Where(c => c.High > (c.Size ?? 0) && state.SentLengths.Contains(c.High)).ToList();
        // The second narrowest gap (the narrower of two): one noisy short prompt in a tiny gap among several cold lengths
        // must not make every gap 64 tokens. Not the median: it set spacings of 208 and 542 tokens on servers with 128-
        // and 384-token buckets, the next verification's sample of lengths found nothing, and users met the rest.
        var candidate = bounded.Count == 0 ? (int?)null : PrefillRungs.SpacingFor(bounded.Select(c => c.High - c.Low).Order().ElementAt(bounded.Count > 2 ? 1 : 0), state.Spacing);
        // The ratio from the upper middle: a cold length in a narrow gap far up the context says its buckets are narrow
        // there, not that every bucket is that narrow relative to its length.
        var gapRatios = bounded.Where(c => c.Low > 0).Select(c => (double)c.High / c.Low).Order().ToList();
        var candidateRatio = gapRatios.Count == 0 ? ratio : PrefillRungs.RatioFor(gapRatios[gapRatios.Count / 2], ratio);
        var global = new List<int>();
        if (candidate is { } c0)
        {
            global.AddRange(PrefillRungs.Fill(state.SentLengths, c0, longest));
            if (candidateRatio is { } r0)
            {
                // Only below the cold lengths: above them the spacing they set is already finer than growing buckets.
                var below = bounded.Min(c => c.Low);
                global.AddRange(PrefillRungs.FillRatio([.. state.SentLengths.Concat(global).Where(l => l <= below)], r0, below));
            }
        }

        // One cold length counts as two when an earlier one lay in a gap no wider than the current spacing (buckets narrower
        // than it exist, and noise does not strike round after round): on a server with 384-token buckets three rounds of
        // one finding each left the spacing at 960 and two buckets cold after the loop ended warm.
        var corroborated = state.Spacing is { } known
            && state.ColdShapes.Any(c => c.Kind == ColdShapeKinds.Prefill && c.FoundInRound < state.Round && c.High - c.Low <= known);
        if (bounded.Count > 1 || (bounded.Count == 1 && (corroborated || global.Count <= MaxRungsOnOneFinding)))
        {
            (spacing, ratio) = (candidate, candidateRatio);
            rungs.AddRange(global);
        }
        else
        {
            rungs.AddRange(bounded.SelectMany(c => PrefillRungs.Between(c.Low, c.High, PrefillRungs.SpacingFor(c.High - c.Low, null))));
        }

        foreach (var top in prefill.Except(bounded))
        {
            var from = Math.Min(top.Low, longest);
            rungs.AddRange(PrefillRungs.Between(from, longest, spacing ?? PrefillRungs.SpacingFor(longest - from, null)).Append(longest));
        }

        return (spacing, ratio, rungs);
    }

    /// <summary>Drops the steps at the end of the list (the least useful) until the round and its verification fit the budget left.</summary>
    private static RoundPlan Fit(
        List<PlanStep> steps, WarmupTarget target, int? maxContext, AdaptiveState state, AdaptiveBudget budget, int round,
        bool verificationOnly = false, bool probeOnly = false)
    {
        var notes = new List<string>(state.Notes);
        var left = budget.MaxTokens - state.TokensSpent;
        var plan = new WarmupPlan(PlanPresets.Adaptive, steps);
        var mix = MixFor(plan, target, maxContext, state, round, probeOnly);
        if (mix.TokenCost > left)
        {
            notes.Add(Invariant($"round {round + 1} not run: its verification alone needs {mix.TokenCost:N0} tokens and {Math.Max(0, left):N0} are left of the target's {budget.MaxTokens:N0} tokens per run"));
            return Stopped(state with { Notes = notes }, target, budget, LoopStops.Tokens, notes);
        }

        var kept = new List<PlanStep>(steps);
        var dropped = 0;
        while (kept.Count > 0 && Cost(kept) + mix.TokenCost > left)
        {
            // Prompt rungs are ordered nearest-first in refinement rounds and ascending in the first: drop from the end.
            kept.RemoveAt(LastDroppable(kept));
            dropped++;
        }

        if (dropped > 0)
        {
            notes.Add(Invariant($"round {round + 1}: {dropped} of {steps.Count} steps left out to stay within the target's {budget.MaxTokens:N0} tokens per run"));
        }

        if (kept.Count == 0 && !verificationOnly)
        {
            return Stopped(state with { Notes = notes }, target, budget, LoopStops.Tokens, notes);
        }

        plan = plan with { Steps = kept };
        return new RoundPlan(plan, MixFor(plan, target, maxContext, state, round, probeOnly), state with { Notes = notes }, 1)
        {
            TokenBudget = budget.MaxTokens,
            MaxRounds = budget.MaxRounds,
            ProbeOnly = probeOnly,
        };
    }

    private static VerificationPlan MixFor(WarmupPlan plan, WarmupTarget target, int? maxContext, AdaptiveState state, int round, bool probeOnly)
        => probeOnly
            ? new VerificationPlan([], VerificationPlan.DefaultOutputTokens, 0)
            : LaterRoundMix.Narrow(
                VerificationPlan.UserLikeMix(plan, maxContext, target.Adapters, target.Limits.MaxConcurrency, round, state.Traffic, state.MapRuns),
                plan, state, round);

    private static IReadOnlyList<PlanStep> LearnedStaircase(IReadOnlyList<int> stalled, int top, List<string> notes)
    {
        var step = StaircaseBurst.Learned(stalled, top);
        notes.Add(Invariant($"the staircase passes every batch size of 1-{top} once and holds those the shape map's last staircase stalled on ({(stalled.Count == 0 ? "none" : string.Join(", ", stalled))}), the size below each and the top, for {StaircaseBurst.TokensPerStair} steps: {step.MaxOutputTokens} decode steps instead of {StaircaseBurst.TokensPerStair * top}"));
        return [step];
    }

    /// <summary>Context windows' worth of prompt tokens the KV-footprint burst holds at once (<see cref="KvFootprint"/>).</summary>
    public const int KvFootprintContexts = 4;

    /// <summary>
    /// One burst at the top concurrency holding <see cref="KvFootprintContexts"/> context windows of prompt tokens in
    /// all: the KV cache grows to the footprint of concurrent long prompts before users need it (the verification's
    /// short-prompt bursts never get there). A server that preallocates its KV cache pays only the prefill. Last in the
    /// round, so a tight token budget drops it first.
    /// </summary>
    private static IEnumerable<PlanStep> KvFootprint(int longest, int top)
    {
        if (top > 1)
        {
            // The KV cache grows with the tokens held at once, not with the number of requests, so the footprint is fixed
            // and split across the burst: a server with a high concurrency limit does not pay its limit times a long
            // prompt (an eighth of the context each cost 32 times the cheapest warm-up at a limit of 256).
            var each = Math.Clamp((int)((long)KvFootprintContexts * longest / top), VerificationPlan.BurstPromptTokens, Math.Max(VerificationPlan.BurstPromptTokens, longest / 8));
            yield return new PlanStep(each, FullPlan.PrefillOutputTokens, top);
        }
    }

    private static int LastDroppable(List<PlanStep> steps)
    {
        // Keep the staircase to the last: it is cheap and covers every batch size at once.
        var index = steps.FindLastIndex(s => !s.Staircase);
        return index >= 0 ? index : steps.Count - 1;
    }

    private static long Cost(IEnumerable<PlanStep> steps) => steps.Sum(s => s.MaxTokens);

    private static RoundPlan Stopped(AdaptiveState state, WarmupTarget target, AdaptiveBudget budget, string stop, List<string> notes)
        => new(new WarmupPlan(PlanPresets.Adaptive, []), new VerificationPlan([], VerificationPlan.DefaultOutputTokens, 0), state with { Notes = notes },
            1, stop)
        {
            TokenBudget = budget.MaxTokens,
            MaxRounds = budget.MaxRounds,
        };

    /// <summary>The longest prompt a request can have in this context window (the full preset's, with the prompt factory's tolerance).</summary>
    public static int Longest(int? maxContext) => Math.Max(1, FullPlan.LongestPrompt(maxContext ?? PlanPresets.DefaultContext));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
