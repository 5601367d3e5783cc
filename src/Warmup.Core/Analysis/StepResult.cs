using System.Text.Json.Serialization;
using Warmup.Core.Planning;

namespace Warmup.Core.Analysis;

/// <summary>
/// What one plan step measured. Small by design: percentiles and counts, plus for plan steps one start time and each
/// request's TTFT (at most the step's concurrency numbers), which is what a timeline of the warm-up needs.
/// </summary>
public sealed record StepResult
{
    public required PlanStep Step { get; init; }

    /// <summary>warmup (a plan step), verify (first-user-like probes) or steady (the steady baseline). See <see cref="Phases"/>.</summary>
    public string Phase { get; init; } = Phases.Warmup;

    public int Requests { get; init; }

    public int Succeeded { get; init; }

    public required LatencySummary TtftMs { get; init; }

    public required LatencySummary InterTokenMs { get; init; }

    public required LatencySummary E2eMs { get; init; }

    /// <summary>Failures keyed by outcome class (see ProbeOutcome), e.g. { "HttpError:503": 2, "Timeout": 1 }.</summary>
    public IReadOnlyDictionary<string, int> ErrorsByOutcome { get; init; } = new Dictionary<string, int>();

    public long PromptTokens { get; init; }

    public long OutputTokens { get; init; }

    /// <summary>Requests of this step that waited for a target's Retry-After before being sent, and their waits summed (ms).</summary>
    public int RetryAfterWaits { get; init; }

    public double RetryAfterWaitMs { get; init; }

    /// <summary>Wall time of the whole step, from releasing the requests to the last one ending (ms).</summary>
    public double WallMs { get; init; }

    /// <summary>Plan steps: when the step's requests were released together (UTC); null for verification.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>Plan steps: the TTFT of each request that produced a first token (ms), in send order; null otherwise.</summary>
    public IReadOnlyList<double>? RequestTtftMs { get; init; }

    /// <summary>Staircase steps only: the batch sizes whose decode step stalled (<see cref="Adaptive.StaircaseStalls"/>); null otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<int>? StalledBatchSizes { get; init; }

    /// <summary>Verification only: every prompt length probed (Step.PromptTokens is then the longest). Null for plan steps.</summary>
    public IReadOnlyList<int>? PromptLengths { get; init; }

    /// <summary>Verification only: the concurrencies verified with bursts (the user-like mix). Null when none were.</summary>
    public IReadOnlyList<int>? Concurrencies { get; init; }
}

public static class Phases
{
    public const string Warmup = "warmup";
    public const string Verify = "verify";
    public const string Steady = "steady";
}
