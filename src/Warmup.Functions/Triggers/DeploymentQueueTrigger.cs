using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Warmup.Functions.Configuration;
using Warmup.Functions.Events;

namespace Warmup.Functions.Triggers;

/// <summary>What the trigger did with one queue message: the events' summary, or the dead letter it wrote instead.</summary>
public sealed record QueueMessageResult(DeploymentSummary? Summary, DeadLetteredMessage? DeadLetter);

/// <summary>
/// Event Grid → Storage queue → warm-up. One event per message, as raw JSON or base64-encoded JSON: host.json sets
/// <c>extensions.queues.messageEncoding</c> to <c>none</c>, so the host hands over the text as stored and this trigger
/// decodes it (with the default base64 decoding the host would fail raw JSON before the function ran). A message that is
/// not an event is logged once and written, with the reason and the original text, to the dead-letter queue
/// %WARMUP_DEADLETTER_QUEUE% through the output binding (same identity-based connection as the trigger); the message
/// is then acknowledged. An event that matches no target is acknowledged and logged. Only a failure to start (storage,
/// Durable) throws, so the host retries it up to maxDequeueCount and then moves it to the poison queue.
/// </summary>
public sealed partial class DeploymentQueueTrigger(DeploymentEventProcessor processor, TimeProvider time, ILogger<DeploymentQueueTrigger> logger)
{
    public const string FunctionName = "DeploymentQueue";

    [Function(FunctionName)]
    [QueueOutput("%" + AppSettingNames.DeadLetterQueue + "%", Connection = AppSettingNames.StorageConnection)]
    public async Task<string[]> Run(
        [QueueTrigger("%" + AppSettingNames.DeploymentQueue + "%", Connection = AppSettingNames.StorageConnection)] string message,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        // An array return writes one queue message per element; an empty one writes none.
        var result = await HandleAsync(message, client, cancellationToken);
        return result.DeadLetter is { } deadLetter ? [deadLetter.ToJson()] : [];
    }

    /// <summary>The work of <see cref="Run"/>, returning what happened to the message.</summary>
    public async Task<QueueMessageResult> HandleAsync(string message, DurableTaskClient client, CancellationToken cancellationToken)
    {
        IReadOnlyList<DeploymentEvent> events;
        try
        {
            events = DeploymentEventReader.ReadQueueMessage(message);
        }
        catch (MalformedEventException ex)
        {
            // No stack trace: the reason is the whole story, and the original text is kept in the dead letter.
            LogMalformed(logger, ex.Message, EchoedInput.Truncate(message));
            return new QueueMessageResult(null, new DeadLetteredMessage(ex.Message, message, FunctionName, time.GetUtcNow()));
        }

        var summary = await processor.ProcessAsync(client, events, cancellationToken);
        LogProcessed(logger, events.Count, summary.Started, summary.Restarted, summary.Skipped, summary.Ignored);
        return new QueueMessageResult(summary, null);
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Deployment queue message is not an event, moved to the dead-letter queue (app setting " + AppSettingNames.DeadLetterQueue + ") without retry: {Problem}. Message starts: {MessageStart}")]
    private static partial void LogMalformed(ILogger logger, string problem, string messageStart);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Deployment message with {Events} event(s): {Started} started, {Restarted} restarted, {Skipped} skipped, {Ignored} ignored")]
    private static partial void LogProcessed(ILogger logger, int events, int started, int restarted, int skipped, int ignored);
}
