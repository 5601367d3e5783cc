using Warmup.Core.Planning;

namespace Warmup.Core.Analysis;

/// <summary>What one plan step measured. Small by design: percentiles and counts, never raw samples.</summary>
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

    /// <summary>Wall time of the whole step, from releasing the requests to the last one ending (ms).</summary>
    public double WallMs { get; init; }

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
