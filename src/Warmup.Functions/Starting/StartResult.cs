namespace Warmup.Functions.Starting;

public enum StartOutcome
{
    /// <summary>A new warm-up instance was scheduled.</summary>
    Started,

    /// <summary>A running warm-up was cancelled (its run recorded its report) and a new one scheduled (new replicas serve now).</summary>
    Restarted,

    /// <summary>Nothing was started; <see cref="StartResult.Reason"/> says why.</summary>
    Skipped,
}

/// <summary>What a trigger's start request came to.</summary>
/// <param name="InstanceId">The target's orchestration (warmup-{target}).</param>
/// <param name="RunId">The started run's id; null when nothing started.</param>
public sealed record StartResult(string Target, string InstanceId, StartOutcome Outcome, string? Reason, string Detail, string? CorrelationId = null, string? RunId = null)
{
    public bool IsStarted => Outcome is StartOutcome.Started or StartOutcome.Restarted;
}

/// <summary>The "reason" of a WarmupSkipped event.</summary>
public static class SkipReasons
{
    public const string AlreadyWarming = "already-warming";
    public const string DuplicateEvent = "duplicate-event";
    public const string Debounced = "debounced";
    public const string Busy = "busy";
    public const string RecentlyUsed = "recently-used";
    public const string RecentlyWarmed = "recently-warmed";
}
