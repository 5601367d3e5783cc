using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Warmup.Core.Dialects;
using Warmup.Core.Orchestration;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;
using Warmup.Core.Traffic;

namespace Warmup.Functions.Idle;

/// <summary>
/// At each idle check, folds what the target's metrics show into its <see cref="TrafficRecord"/>
/// (<see cref="TrafficLedger"/>): users' prompt lengths since the last check, Warmup's own runs since then taken out,
/// and the most requests seen running. Warmup's own traffic is read from the reports of the target's runs created since
/// the last check (every run, an escalated light run included, is its own instance with its report as output).
/// Best effort: a failure is logged and never changes the idle decision.
/// </summary>
public sealed partial class ObservedTrafficRecorder(
    Func<DurableTaskClient, IObservedTrafficStore> stores, ILogger<ObservedTrafficRecorder> logger)
{
    public async Task<TrafficRecord?> RecordAsync(
        DurableTaskClient client, WarmupTarget target, ServerLoad? load, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            var store = stores(client);
            var previous = await store.GetAsync(target.Name, cancellationToken);
            var own = previous is null ? [] : await OwnTrafficSinceAsync(client, target.Name, previous.CheckedAt, cancellationToken);
            var record = TrafficLedger.Update(previous, target.Name, target.Model, load, own, now);
            await store.SaveAsync(record, cancellationToken);
            return record;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not OutOfMemoryException)
        {
            LogNotRecorded(logger, target.Name, ex.GetType().Name, ex.Message);
            return null;
        }
    }

    /// <summary>Prompt lengths of every run of <paramref name="target"/> created since <paramref name="since"/>, from their reports.</summary>
    private static async Task<IReadOnlyList<SentLength>> OwnTrafficSinceAsync(
        DurableTaskClient client, string target, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var query = new OrchestrationQuery
        {
            InstanceIdPrefix = TaskNames.InstanceIdFor(target) + "-",
            CreatedFrom = since,
            FetchInputsAndOutputs = true,
        };
        var sent = new List<SentLength>();
        await foreach (var run in client.GetAllInstancesAsync(query).WithCancellation(cancellationToken))
        {
            // The prefix also matches a target whose name extends this one's ("a" and "a-b"): keep this target's runs only.
            if (RunIds.BelongsTo(run.InstanceId, target) && ReportOf(run) is { } report)
            {
                sent.AddRange(OwnTraffic.From(report));
            }
        }

        return sent;
    }

    private static WarmupReport? ReportOf(OrchestrationMetadata run)
    {
        if (string.IsNullOrEmpty(run.SerializedOutput))
        {
            return null;
        }

        try
        {
            return run.ReadOutputAs<WarmupReport>();
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or NotSupportedException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 1210, Level = LogLevel.Warning, Message = "Traffic of target {Target} was not recorded ({ErrorType}: {Problem}); the idle check goes on")]
    private static partial void LogNotRecorded(ILogger logger, string target, string errorType, string problem);
}
