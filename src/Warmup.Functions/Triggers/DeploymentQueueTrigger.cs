using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Warmup.Functions.Configuration;
using Warmup.Functions.Events;

namespace Warmup.Functions.Triggers;

/// <summary>
/// Event Grid → Storage queue → warm-up. One event per message (raw JSON or base64). A malformed message throws, so the
/// host retries it up to maxDequeueCount (host.json) and then moves it to the poison queue; an event that matches no
/// target is acknowledged and logged, never retried.
/// </summary>
public sealed partial class DeploymentQueueTrigger(DeploymentEventProcessor processor, ILogger<DeploymentQueueTrigger> logger)
{
    public const string FunctionName = "DeploymentQueue";

    [Function(FunctionName)]
    public Task Run(
        [QueueTrigger("%" + AppSettingNames.DeploymentQueue + "%", Connection = AppSettingNames.StorageConnection)] string message,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) => HandleAsync(message, client, cancellationToken);

    /// <summary>The work of <see cref="Run"/>, returning what happened to each event.</summary>
    public async Task<DeploymentSummary> HandleAsync(string message, DurableTaskClient client, CancellationToken cancellationToken)
    {
        IReadOnlyList<DeploymentEvent> events;
        try
        {
            events = DeploymentEventReader.ReadQueueMessage(message);
        }
        catch (MalformedEventException ex)
        {
            LogMalformed(logger, ex.Message);
            throw;
        }

        var summary = await processor.ProcessAsync(client, events, cancellationToken);
        LogProcessed(logger, events.Count, summary.Started, summary.Restarted, summary.Skipped, summary.Ignored);
        return summary;
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Malformed deployment event message (it goes to the poison queue after the last retry): {Problem}")]
    private static partial void LogMalformed(ILogger logger, string problem);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Deployment message with {Events} event(s): {Started} started, {Restarted} restarted, {Skipped} skipped, {Ignored} ignored")]
    private static partial void LogProcessed(ILogger logger, int events, int started, int restarted, int skipped, int ignored);
}
