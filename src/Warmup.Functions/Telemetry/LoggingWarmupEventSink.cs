using Microsoft.Extensions.Logging;

namespace Warmup.Functions.Telemetry;

/// <summary>
/// Writes the custom events as log records carrying <c>microsoft.custom_event.name</c>: the Azure Monitor exporter turns
/// such records into customEvents (name = the event, other template values = customDimensions).
/// </summary>
public sealed class LoggingWarmupEventSink(ILogger<LoggingWarmupEventSink> logger) : IWarmupEventSink
{
    public const string WarmupSkippedEvent = "WarmupSkipped";
    public const string DeploymentEventIgnoredEvent = "DeploymentEventIgnored";

    // LoggerMessage.Define, not [LoggerMessage]: the source generator rejects the dotted attribute name the exporter looks for.
    private static readonly Action<ILogger, string, string, string, string, string, Exception?> Skipped =
        LoggerMessage.Define<string, string, string, string, string>(LogLevel.Information, new EventId(3001, WarmupSkippedEvent),
            "{microsoft.custom_event.name}: warm-up of {target} skipped ({trigger}, {reason}): {detail}");

    private static readonly Action<ILogger, string, string, string, string, string, Exception?> Ignored =
        LoggerMessage.Define<string, string, string, string, string>(LogLevel.Information, new EventId(3002, DeploymentEventIgnoredEvent),
            "{microsoft.custom_event.name}: event {eventId} of type {eventType} ignored ({reason}): {detail}");

    public void WarmupSkipped(string target, string trigger, string reason, string detail) =>
        Skipped(logger, WarmupSkippedEvent, target, trigger, reason, detail, null);

    public void DeploymentEventIgnored(string eventId, string eventType, string reason, string detail) =>
        Ignored(logger, DeploymentEventIgnoredEvent, eventId, eventType, reason, detail, null);
}
