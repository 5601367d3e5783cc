using Warmup.Core.Analysis;
using Warmup.Core.Planning;
using Warmup.Core.Reporting;

namespace Warmup.Core.Traffic;

/// <summary>Requests Warmup sent at one prompt length (tokens as it asked for them).</summary>
public sealed record SentLength(int PromptTokens, int Requests);

/// <summary>
/// The prompt lengths a run sent, read back from its report: Warmup knows its own traffic, so it can take it out of the
/// server's histogram and keep only what users sent (the Functions app's idle timer, and the CLI at the start of its
/// next run). Plan steps send their length once per request (as the server counted it, where it said). Each verification (every round's, with the adaptive loop)
/// sends each of its lengths once, every adapter at <see cref="VerificationPlan.AdapterPromptLength"/> and every burst
/// at <see cref="VerificationPlan.BurstPromptTokens"/>; its steady pass sends that set again per repeat, except that the
/// user-like mix (the adaptive loop's) gives its long lengths only <see cref="VerificationPlan.MixLongSteadyRepeats"/>.
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
            Add(sent, CountedLength(step), step.Requests);
        }

        // Only the adaptive loop verifies with the user-like mix; the fixed presets verify with the plain plan.
        var mix = report.Adaptive is not null;
        foreach (var (first, steady) in Verifications(report))
        {
            foreach (var s in VerificationSent(first, steady, mix))
            {
                Add(sent, s.PromptTokens, s.Requests);
            }
        }

        return sent.Where(kv => kv.Value > 0).OrderBy(kv => kv.Key).Select(kv => new SentLength(kv.Key, kv.Value)).ToList();
    }

    /// <summary>Every verification of the run, earlier rounds' first: each first-user-like pass with its steady pass.</summary>
    private static IEnumerable<(StepResult First, StepResult? Steady)> Verifications(WarmupReport report)
    {
        StepResult? pending = null;
        foreach (var pass in report.EarlierVerifications.Append(report.FirstUserLike).Append(report.Steady).OfType<StepResult>())
        {
            if (pass.Phase == Phases.Steady && pending is not null)
            {
                yield return (pending, pass);
                pending = null;
            }
            else if (pass.Phase == Phases.Verify)
            {
                if (pending is not null)
                {
                    yield return (pending, null);
                }

                pending = pass;
            }
        }

        if (pending is not null)
        {
            yield return (pending, null);
        }
    }

    /// <summary>One verification: its lengths, its adapters (the requests beyond lengths and bursts) and its bursts, first and steady.</summary>
    private static IEnumerable<SentLength> VerificationSent(StepResult first, StepResult? steady, bool mix)
    {
        var lengths = first.PromptLengths ?? [];
        var bursts = first.Concurrencies?.Sum() ?? 0;
        var adapters = Math.Max(0, first.Requests - lengths.Count - bursts);
        var shape = new VerificationPlan(lengths, 0, 0) { AdapterLengthQuantile = mix ? VerificationPlan.MixAdapterLengthQuantile : 2 };
        var perPass = lengths.Count + adapters + bursts;
        var steadyRequests = steady?.Requests ?? 0;

        // The fixed presets repeat the whole set; the mix repeats long lengths fewer times, and how many of its lengths
        // were long follows from the steady count (the long ones are the longest).
        const int repeats = VerificationPlan.DefaultSteadyRepeats;
        const int longRepeats = VerificationPlan.MixLongSteadyRepeats;
        var longCount = mix ? Math.Clamp(((repeats * perPass) - steadyRequests) / (repeats - longRepeats), 0, lengths.Count) : 0;
        var shortRepeats = mix ? repeats : (perPass == 0 ? 0 : steadyRequests / perPass);
        var longest = lengths.OrderDescending().Take(longCount).ToList();
        foreach (var length in lengths)
        {
            var isLong = longest.Remove(length);
            yield return new SentLength(length, 1 + (steady is null ? 0 : isLong ? longRepeats : shortRepeats));
        }

        var setRepeats = steady is null ? 0 : shortRepeats;
        yield return new SentLength(shape.AdapterPromptLength, adapters * (1 + setRepeats));
        yield return new SentLength(VerificationPlan.BurstPromptTokens, bursts * (1 + setRepeats));
    }

    /// <summary>
    /// The length the server counted for a plan step's requests: its own usage count per request where it gave one
    /// (all of a step's requests ask for the same length), else the length asked for. The two differ by up to the
    /// prompt factory's tolerance, enough to cross a histogram bucket's edge, and the users' range rungs sit on edges.
    /// </summary>
    private static int CountedLength(StepResult step)
        => step is { Succeeded: > 0, PromptTokens: > 0 } ? (int)Math.Round((double)step.PromptTokens / step.Succeeded) : step.Step.PromptTokens;

    private static void Add(Dictionary<int, int> sent, int length, int requests) => sent[length] = sent.GetValueOrDefault(length) + requests;
}
