using Warmup.Core.Analysis;

namespace Warmup.Core.Adaptive;

/// <summary>
/// The adaptive loop's part of the report (docs/report-schema.md, <c>adaptive</c>): every round, every cold shape met
/// and the round that warmed it, what stayed cold, and what ended the loop.
/// </summary>
public sealed record AdaptiveReport
{
    /// <summary>warm, round-limit, token-budget, time-budget, nothing-to-refine (see <see cref="LoopStops"/>).</summary>
    public required string StoppedBy { get; init; }

    public required IReadOnlyList<RoundReport> Rounds { get; init; }

    /// <summary>Every cold shape verification met, with the round that found it and the round that warmed it (null: still cold).</summary>
    public required IReadOnlyList<ColdShape> ColdShapes { get; init; }

    /// <summary>The cold shapes no later verification found warm, in words; empty when the loop ended warm.</summary>
    public required IReadOnlyList<string> StillCold { get; init; }

    /// <summary>True when round 1 started from the target's learned shape map.</summary>
    public bool FromShapeMap { get; init; }

    /// <summary>
    /// Prompt plus output tokens the whole loop spent (every plan step and verification, and the results an outage cut
    /// short), against <see cref="TokenBudget"/>.
    /// </summary>
    public long TokensSpent { get; init; }

    public long TokenBudget { get; init; }

    public int MaxRounds { get; init; }

    public double MaxDurationSeconds { get; init; }

    /// <summary>Rung spacing (tokens) the loop found the server needs; null when the coarse ladder was enough.</summary>
    public int? Spacing { get; init; }

    /// <summary>Ratio between neighbouring rungs the loop found the server needs; null when no length was refined.</summary>
    public double? SpacingRatio { get; init; }
}

/// <summary>One round: what its plan sent and what its verification said.</summary>
public sealed record RoundReport(
    int Round,
    int Steps,
    int Requests,
    long PromptTokens,
    long OutputTokens,
    int VerifyRequests,
    long VerifyTokens,
    bool IsWarm,
    double? Ratio,
    IReadOnlyList<string> ColdFound)
{
    public static RoundReport From(int round, IReadOnlyList<StepResult> steps, VerificationResultSummary verification, IReadOnlyList<ColdShape> found)
        => new(
            round,
            steps.Count,
            steps.Sum(s => s.Requests),
            steps.Sum(s => s.PromptTokens),
            steps.Sum(s => s.OutputTokens),
            verification.Requests,
            verification.Tokens,
            verification.Verdict.IsWarm,
            verification.Verdict.Ratio is { } r ? Math.Round(r, 3) : null,
            found.Select(c => c.Describe()).ToList());
}

/// <summary>What a round's verification sent and decided.</summary>
public sealed record VerificationResultSummary(int Requests, long Tokens, Verdict Verdict);
