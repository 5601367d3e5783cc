using Microsoft.Extensions.Logging;
using Warmup.Core.Telemetry;

namespace Warmup.Functions.Telemetry;

/// <summary>
/// Writes the triggers' custom events through the shared <see cref="WarmupEvents"/> (customEvents WarmupSkipped and
/// DeploymentEventIgnored), and the human-readable detail, which those events do not carry, as an ordinary log line.
/// </summary>
public sealed partial class WarmupEventsSink(WarmupEvents events, ILogger<WarmupEventsSink> logger) : IWarmupEventSink
{
    public void WarmupSkipped(string target, string trigger, string reason, string detail)
    {
        events.Skipped(target, reason, trigger);
        LogSkipped(logger, target, trigger, reason, detail);
    }

    public void DeploymentEventIgnored(string eventId, string eventType, string subject, string reason, string detail)
    {
        events.DeploymentEventIgnored(eventId, eventType, subject, reason);
        LogIgnored(logger, eventId, eventType, reason, detail);
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Warm-up of {Target} skipped ({Trigger}, {Reason}): {Detail}")]
    private static partial void LogSkipped(ILogger logger, string target, string trigger, string reason, string detail);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Deployment event {EventId} of type {EventType} ignored ({Reason}): {Detail}")]
    private static partial void LogIgnored(ILogger logger, string eventId, string eventType, string reason, string detail);
}
