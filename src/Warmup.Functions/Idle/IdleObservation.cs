namespace Warmup.Functions.Idle;

/// <summary>
/// What the idle timer saw at its last check of a target. The last warm-up and the requests Warmup sent are not stored
/// here: they come from the target's orchestration instance (created time, report totals), the single source of truth.
/// </summary>
public sealed class IdleObservation
{
    public string Target { get; set; } = "";

    public DateTimeOffset CheckedAt { get; set; }

    /// <summary>The server's monotonic completed-requests counter at that check; null when it had no metrics.</summary>
    public double? RequestsCompleted { get; set; }
}
