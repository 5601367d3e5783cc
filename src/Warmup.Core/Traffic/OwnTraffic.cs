using Warmup.Core.Analysis;
using Warmup.Core.Planning;
using Warmup.Core.Reporting;

namespace Warmup.Core.Traffic;

/// <summary>Requests Warmup sent at one prompt length (tokens as it asked for them).</summary>
public sealed record SentLength(int PromptTokens, int Requests);

/// <summary>
/// The prompt lengths a run sent, read back from its report: Warmup knows its own traffic, so the idle timer can take it
/// out of the server's histogram and keep only what users sent. Plan steps send their length once per request.
/// Verification sends each of its lengths once, every adapter at <see cref="VerificationPlan.AdapterPromptLength"/> and
/// every burst at <see cref="VerificationPlan.BurstPromptTokens"/>; the steady pass sends that same set again per repeat.
/// </summary>
public static class OwnTraffic
{
    public static IReadOnlyList<SentLength> From(WarmupReport? report)
    {
        if (report is null)
        {
            return [];
        }

        var sent = new Dictionary<int, int>();
        foreach (var step in report.Steps)
        {
            Add(sent, step.Step.PromptTokens, step.Requests);
        }

        if (report.FirstUserLike is { } first)
        {
            var once = VerificationSet(first);
            Add(sent, once, 1);
            var perPass = once.Sum(s => s.Requests);
            if (report.Steady is { } steady && perPass > 0)
            {
                Add(sent, once, steady.Requests / perPass);
            }
        }

        return sent.Where(kv => kv.Value > 0).OrderBy(kv => kv.Key).Select(kv => new SentLength(kv.Key, kv.Value)).ToList();
    }

    /// <summary>One pass of verification: its lengths, its adapters (the requests beyond lengths and bursts) and its bursts.</summary>
    private static List<SentLength> VerificationSet(StepResult first)
    {
        var lengths = first.PromptLengths ?? [];
        var bursts = first.Concurrencies?.Sum() ?? 0;
        var adapters = Math.Max(0, first.Requests - lengths.Count - bursts);
        var adapterLength = new VerificationPlan(lengths, 0, 0).AdapterPromptLength;
        var set = lengths.Select(l => new SentLength(l, 1)).ToList();
        set.Add(new SentLength(adapterLength, adapters));
        set.Add(new SentLength(VerificationPlan.BurstPromptTokens, bursts));
        return set;
    }

    private static void Add(Dictionary<int, int> sent, int length, int requests) => sent[length] = sent.GetValueOrDefault(length) + requests;

    private static void Add(Dictionary<int, int> sent, IEnumerable<SentLength> set, int times)
    {
        foreach (var s in set)
        {
            Add(sent, s.PromptTokens, s.Requests * times);
        }
    }
}
