using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.DurableTask.Client;
using Warmup.Core.Orchestration;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;
using Warmup.Functions.Starting;

namespace Warmup.Functions.Status;

/// <summary>
/// Reads runs for the status API. A target's orchestration (warmup-{target}) says which run is current
/// (<see cref="TargetRunStatus"/>); each run is its own instance. Progress and report are read with the instance's own
/// data converter (whatever the host wrote them with) and written with <see cref="ReportJson.Options"/>, the one
/// serializer of the report, so the API shows the documented camelCase names on every host.
/// </summary>
public static class RunStatusReader
{
    /// <summary>The target's current run, or its latest one; null when the target never ran.</summary>
    public static async Task<WarmupStatus?> CurrentAsync(DurableTaskClient client, string target, CancellationToken cancellationToken)
    {
        var parent = await client.GetInstanceAsync(TaskNames.InstanceIdFor(target), getInputsAndOutputs: true, cancellationToken);
        if (parent is null)
        {
            return null;
        }

        var request = WarmupStarter.ReadRequest(parent);
        var runs = ReadRuns(parent);
        var runId = runs?.CurrentRunId ?? request?.RunId;
        var run = runId is null ? null : await client.GetInstanceAsync(runId, getInputsAndOutputs: true, cancellationToken);
        if (run is null)
        {
            // The target's orchestration has not started its run yet (or it was terminated before): show it as it is.
            return Describe(parent, target, runId ?? parent.InstanceId, runs?.RunIds ?? (runId is null ? [] : [runId]));
        }

        return Describe(run, target, run.InstanceId, runs?.RunIds ?? [run.InstanceId]);
    }

    /// <summary>A given run of the target; null when there is no such run.</summary>
    public static async Task<WarmupStatus?> RunAsync(DurableTaskClient client, string target, string runId, CancellationToken cancellationToken)
    {
        if (!RunIds.BelongsTo(runId, target))
        {
            return null;
        }

        var run = await client.GetInstanceAsync(runId, getInputsAndOutputs: true, cancellationToken);
        return run is null ? null : Describe(run, target, runId, [runId]);
    }

    /// <summary>The id of the target's current (or last) run, for DELETE's answer; null when unknown.</summary>
    public static string? CurrentRunId(OrchestrationMetadata parent) => ReadRuns(parent)?.CurrentRunId ?? WarmupStarter.ReadRequest(parent)?.RunId;

    private static WarmupStatus Describe(OrchestrationMetadata instance, string target, string id, IReadOnlyList<string> runs)
    {
        var request = WarmupStarter.ReadRequest(instance);
        var report = Read(instance, static i => i.SerializedOutput is null ? null : i.ReadOutputAs<WarmupReport>());
        var progress = Read(instance, static i => i.SerializedCustomStatus is null ? null : i.ReadCustomStatusAs<WarmupProgress>());
        return new WarmupStatus(
            id,
            target,
            report?.Deployment ?? (TargetDeployment.TrySplit(target, out _, out var deployment) ? deployment : null),
            instance.RuntimeStatus.ToString(),
            instance.CreatedAt,
            instance.LastUpdatedAt,
            request?.Reason,
            report?.Plan ?? request?.Plan.Preset,
            request?.CorrelationId,
            progress is null ? null : JsonSerializer.SerializeToNode(progress, ReportJson.Options),
            report is null ? null : JsonSerializer.SerializeToNode(report, ReportJson.Options),
            instance.FailureDetails?.ErrorMessage,
            runs);
    }

    private static TargetRunStatus? ReadRuns(OrchestrationMetadata parent) =>
        Read(parent, static p => p.SerializedCustomStatus is null ? null : p.ReadCustomStatusAs<TargetRunStatus>());

    // A document this version cannot read (an older run, a terminate's output text) is left out rather than failing GET.
    private static T? Read<T>(OrchestrationMetadata instance, Func<OrchestrationMetadata, T?> read) where T : class
    {
        try
        {
            return read(instance);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException)
        {
            return null;
        }
    }
}
