using System.Globalization;
using Warmup.Core.Prompts;
using Warmup.Core.Targets;

namespace Warmup.Core.Planning;

/// <summary>
/// The <c>full</c> preset: every compiled shape a user can reach, without the full cross product of lengths and
/// concurrencies (what compiles per shape is prefill for prompt lengths and the decode graph for batch sizes, and
/// those are independent).
/// <list type="number">
/// <item>Prompt ladder at concurrency 1, one rung per prefill bucket (default: powers of two from 32 up to the
/// context window), each rung 1/8 of the bucket's width below its upper edge so tokenizer rounding cannot spill it
/// into the next bucket; 8 output tokens (prefill is what compiles per shape).</item>
/// <item>One request per LoRA adapter (short prompt, concurrency 1): adapters load and compile on first use.</item>
/// <item>One step at the longest prompt with the top concurrency: the largest KV-cache footprint users can need.
/// The longest prompt leaves room for the prompt factory's length tolerance (<see cref="LongestPrompt"/>), so no
/// request of it is rejected as longer than the context window.
/// If the plan would exceed the target's token budget, this step's concurrency is halved until it fits (with a note).</item>
/// <item>Concurrency ladder at a 32-token prompt with 32 output tokens, so all requests decode together, over the
/// decode batch sizes the server captures (default vLLM's 1, 2, 4, 8, 16, 24, 32, capped at min(32, limit)).
/// vLLM pads a batch to the next capture size, so one rung per size plus one at the limit covers every batch size
/// a user can reach. Size 1 is already covered by the prompt ladder.</item>
/// </list>
/// Servers that compile other shapes need the target's <see cref="WarmupTarget.PromptBuckets"/> and
/// <see cref="WarmupTarget.BatchSizes"/> (targets configuration: "promptBuckets", "batchSizes").
/// </summary>
public static class FullPlan
{
    public const int PrefillOutputTokens = 8;
    public const int DecodePromptTokens = 32;
    public const int DecodeOutputTokens = 32;
    public const int AdapterPromptTokens = 32;
    public const int FirstBucket = 32;
    public const int DefaultConcurrencyCap = 32;

    public static IReadOnlyList<int> DefaultBatchSizes { get; } = [1, 2, 4, 8, 16, 24, 32];


    public static WarmupPlan Build(WarmupTarget target, int? maxContext)
    {
        var context = maxContext ?? PlanPresets.DefaultContext;
        var longestPrompt = LongestPrompt(context);
        if (longestPrompt < 1)
        {
            throw new PlanValidationException($"the model's context window of {context} tokens is too small for the full plan");
        }

        var steps = new List<PlanStep>();
        var notes = new List<string>();
        steps.AddRange(PromptLadder(target.PromptBuckets, longestPrompt));
        steps.AddRange(target.Adapters.Select(a => new PlanStep(AdapterPromptTokens, PrefillOutputTokens, 1, a)));

        var ladder = ConcurrencyLadder(target.BatchSizes, target.Limits.MaxConcurrency);
        var top = ladder.Count == 0 ? 1 : ladder[^1];
        var kvIndex = -1;
        if (top > 1)
        {
            kvIndex = steps.Count;
            steps.Add(new PlanStep(longestPrompt, PrefillOutputTokens, top));
        }

        steps.AddRange(ladder.Select(c => new PlanStep(DecodePromptTokens, DecodeOutputTokens, c)));

        var plan = new WarmupPlan(PlanPresets.Full, steps);
        if (kvIndex >= 0)
        {
            plan = FitKvStep(plan, kvIndex, target, maxContext, notes);
        }

        return plan with { Notes = notes };
    }

    /// <summary>
    /// The longest prompt the plan asks for: the context window less the output tokens, less the prompt factory's
    /// tolerance (a prompt built for N tokens may measure up to N × (1 + 2 %) or N + 2). Asking for context − output
    /// exactly gets about half of the requests rejected with HTTP 400 (prompt + max_tokens over the window), which
    /// the effectiveness benchmark showed on the largest-KV step.
    /// </summary>
    public static int LongestPrompt(int context)
        => (int)Math.Floor((context - PrefillOutputTokens - PromptFactory.AbsoluteToleranceTokens) / (1 + PromptFactory.RelativeTolerance));

    /// <summary>Prompt lengths, one per bucket reachable below <paramref name="longestPrompt"/>.</summary>
    public static IReadOnlyList<PlanStep> PromptLadder(IReadOnlyList<int>? buckets, int longestPrompt)
    {
        var edges = (buckets ?? PowersOfTwo(longestPrompt)).Where(b => b >= 1).Distinct().Order().ToList();
        var rungs = new List<PlanStep>();
        var previous = 0;
        foreach (var edge in edges)
        {
            if (previous >= longestPrompt)
            {
                break;
            }

            var rung = Math.Min(edge - Math.Max(1, (edge - previous) / 8), longestPrompt);
            rungs.Add(new PlanStep(Math.Max(rung, previous + 1), PrefillOutputTokens, 1));
            previous = edge;
        }

        return rungs;
    }

    /// <summary>Decode batch sizes to send, above 1, ending at the highest size a user can reach.</summary>
    public static IReadOnlyList<int> ConcurrencyLadder(IReadOnlyList<int>? batchSizes, int maxConcurrency)
    {
        var sizes = (batchSizes ?? DefaultBatchSizes).Where(s => s >= 1).Distinct().Order().ToList();
        var cap = batchSizes is null ? Math.Min(DefaultConcurrencyCap, maxConcurrency) : maxConcurrency;
        var ladder = sizes.Where(s => s > 1 && s < cap).ToList();

        // A user at the cap is padded up to the next capture size, which only the cap itself reaches.
        if (cap > 1 && sizes.Any(s => s >= cap))
        {
            ladder.Add(cap);
        }

        return ladder;
    }

    private static IEnumerable<int> PowersOfTwo(int longestPrompt)
    {
        for (var edge = FirstBucket; ; edge *= 2)
        {
            yield return edge;
            if (edge >= longestPrompt)
            {
                yield break;
            }
        }
    }

    private static WarmupPlan FitKvStep(WarmupPlan plan, int kvIndex, WarmupTarget target, int? maxContext, List<string> notes)
    {
        var budget = target.Limits.TokensPerRun(maxContext);
        var kv = plan.Steps[kvIndex];
        var original = kv.Concurrency;
        while (PlanValidator.TokenCost(plan, maxContext, target.Adapters) > budget && kv.Concurrency > 1)
        {
            kv = kv with { Concurrency = kv.Concurrency / 2 };
            plan = plan with { Steps = plan.Steps.Select((s, i) => i == kvIndex ? kv : s).ToList() };
        }

        if (kv.Concurrency != original)
        {
            notes.Add(
                $"step {kvIndex + 1} (largest KV footprint): concurrency {original} reduced to {kv.Concurrency} " +
                $"to stay within the target's limit of {budget.ToString("N0", CultureInfo.InvariantCulture)} tokens per run");
        }

        return plan;
    }
}
