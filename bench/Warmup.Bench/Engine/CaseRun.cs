using Warmup.Core.Analysis;
using Warmup.Core.Orchestration;
using Warmup.Core.Readiness;
using Warmup.Simulator;

namespace Warmup.Bench.Engine;

/// <summary>What one case measured: the product's verdict, the server's view of the same probes, and what the plan cost.</summary>
internal sealed record CaseRun(
    string Profile,
    string Plan,
    double TimeScale,
    int Seed,
    double Ratio,
    bool IsWarm,
    int? WorstPromptTokens,
    string? Reason,
    double ServerRatio,
    IReadOnlyList<LengthVerdict> ByLength,
    IReadOnlyList<int> VerifiedLengths,
    IReadOnlyList<FirstUserProbe> FirstUserLike,
    PlanCost PlanCost,
    VerifyCost VerifyCost,
    double TimeToReadyMs,
    double RunMsExcludingReadiness,
    IReadOnlyList<string> Notes)
{
    /// <summary>Cold penalties (names) the first-user-like probes paid, e.g. jit:2048, lora:sql-lora; empty when none.</summary>
    public IReadOnlyList<string> ColdPenalties => FirstUserLike.SelectMany(p => p.Penalties).Distinct().ToList();

    public static CaseRun From(
        string profile, string plan, double timeScale, int seed, ReadinessResult readiness, IReadOnlyList<StepResult> steps,
        VerificationResult verification, IReadOnlyList<string> notes, IReadOnlyList<RequestRecord> log, double elapsedMs)
    {
        // Verification sends one request at a time after the plan has finished, so its requests are the log's last ones,
        // in send order: the first-user-like round, then the steady rounds in the same order.
        var ordered = log.OrderBy(r => r.Sequence).ToList();
        var firstCount = verification.FirstUserLike.Requests;
        var verifyCount = firstCount + verification.Steady.Requests;
        var planRecords = ordered.Take(ordered.Count - verifyCount).ToList();
        var verifyRecords = ordered.Skip(ordered.Count - verifyCount).ToList();
        var first = verifyRecords.Take(firstCount).ToList();
        var steady = verifyRecords.Skip(firstCount).ToList();

        var verdict = verification.Verdict;
        return new CaseRun(
            profile,
            plan,
            timeScale,
            seed,
            Math.Round(verdict.Ratio ?? double.NaN, 3),
            verdict.IsWarm,
            verdict.WorstPromptTokens,
            verdict.Reason,
            Math.Round(WorstServerRatio(first, steady), 3),
            verdict.ByLength,
            verification.FirstUserLike.PromptLengths ?? [],
            first.Select(FirstUserProbe.From).ToList(),
            PlanCost.From(steps, planRecords),
            new VerifyCost(verifyCount, verifyRecords.Sum(r => (long)r.PromptTokens), verifyRecords.Sum(r => (long)r.CompletionTokens),
                Math.Round(verification.FirstUserLike.WallMs + verification.Steady.WallMs, 1)),
            Math.Round(readiness.TimeToReadyMs, 1),
            Math.Round(elapsedMs - readiness.TimeToReadyMs, 1),
            notes);
    }

    /// <summary>
    /// The strictest view, on the simulator's modelled TTFTs (what the server did, without the client's HTTP and
    /// scheduling time): first / median steady per probe, worst probe decides. Probe i of each steady round repeats
    /// first-user probe i. The product's verdict averages over lengths and guards each one separately; this shows
    /// whether any single length was left cold.
    /// </summary>
    private static double WorstServerRatio(List<RequestRecord> first, List<RequestRecord> steady)
    {
        var worst = 0.0;
        for (var i = 0; i < first.Count; i++)
        {
            var baseline = steady.Where((_, j) => j % first.Count == i).Select(r => r.ModelledTtftMs ?? double.NaN).Order().ToList();
            if (baseline.Count == 0 || first[i].ModelledTtftMs is not { } ttft)
            {
                continue;
            }

            var median = baseline.Count % 2 == 1 ? baseline[baseline.Count / 2] : (baseline[(baseline.Count / 2) - 1] + baseline[baseline.Count / 2]) / 2;
            worst = Math.Max(worst, ttft / median);
        }

        return worst;
    }
}

/// <summary>One first-user-like probe as the simulator saw it.</summary>
internal sealed record FirstUserProbe(int PromptTokens, string? Adapter, int Bucket, double ModelledTtftMs, IReadOnlyList<string> Penalties)
{
    public static FirstUserProbe From(RequestRecord r) => new(
        r.PromptTokens,
        r.Adapter,
        r.Bucket,
        Math.Round(r.ModelledTtftMs ?? double.NaN, 1),
        r.Penalties.Where(p => p.BeforeFirstToken).Select(p => p.Name).ToList());
}

/// <summary>
/// What the plan itself spent (verification excluded): requests, prompt and generated tokens as the server counted them,
/// and the wall time from the first plan request's arrival to the last one's final chunk (readiness excluded; the
/// orchestration's gaps between levels included).
/// </summary>
internal sealed record PlanCost(
    int Requests, long PromptTokens, long OutputTokens, double WallMs, int Steps, int ClientRequests, int ClientFailed,
    long ClientPromptTokens, long ClientOutputTokens, IReadOnlyDictionary<string, int> ClientErrors)
{
    public static PlanCost From(IReadOnlyList<StepResult> steps, List<RequestRecord> records)
    {
        var wallMs = records.Count == 0
            ? 0
            : (records.Max(r => r.Chunks.Count == 0 ? r.ArrivalUnixNs : r.Chunks[^1].SentUnixNs) - records.Min(r => r.ArrivalUnixNs)) / 1e6;
        return new PlanCost(
            records.Count,
            records.Sum(r => (long)r.PromptTokens),
            records.Sum(r => (long)r.CompletionTokens),
            Math.Round(wallMs, 1),
            steps.Count,
            steps.Sum(s => s.Requests),
            steps.Sum(s => s.Requests - s.Succeeded),
            steps.Sum(s => s.PromptTokens),
            steps.Sum(s => s.OutputTokens),
            StepAggregator.MergeErrors(steps.Select(s => s.ErrorsByOutcome)));
    }
}

internal sealed record VerifyCost(int Requests, long PromptTokens, long OutputTokens, double WallMs);
