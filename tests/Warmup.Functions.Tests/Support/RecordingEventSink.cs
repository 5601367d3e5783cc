using Warmup.Functions.Telemetry;

namespace Warmup.Functions.Tests.Support;

internal sealed class RecordingEventSink : IWarmupEventSink
{
    public List<(string Target, string Trigger, string Reason, string Detail)> Skipped { get; } = [];
    public List<(string EventId, string EventType, string Reason, string Detail)> Ignored { get; } = [];

    public void WarmupSkipped(string target, string trigger, string reason, string detail) => Skipped.Add((target, trigger, reason, detail));

    public void DeploymentEventIgnored(string eventId, string eventType, string subject, string reason, string detail) => Ignored.Add((eventId, eventType, reason, detail));
}
