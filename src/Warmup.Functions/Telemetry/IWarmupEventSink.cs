namespace Warmup.Functions.Telemetry;

/// <summary>
/// The custom events the triggers emit (Application Insights customEvents). A seam so triggers are tested without a
/// logging pipeline; the app writes them through <see cref="WarmupEventsSink"/>.
/// </summary>
public interface IWarmupEventSink
{
    /// <summary>A trigger decided not to warm a target (busy, recently used, already warming, duplicate event, ...).</summary>
    void WarmupSkipped(string target, string trigger, string reason, string detail);

    /// <summary>A deployment event was acknowledged without starting anything (unknown type, no matching target, ...).</summary>
    void DeploymentEventIgnored(string eventId, string eventType, string subject, string reason, string detail);
}
