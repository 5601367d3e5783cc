using DurableTask.Core.Exceptions;
using Grpc.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Warmup.Core.Analysis;
using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Targets;
using Warmup.Core.Telemetry;
using Warmup.Functions.Configuration;
using Warmup.Functions.Telemetry;

namespace Warmup.Functions.Starting;

/// <summary>
/// The one place that starts warm-ups: it starts the target's orchestration (<see cref="TaskNames.TargetWarmupOrchestration"/>,
/// instance id <c>warmup-{target}</c>), which runs each warm-up as a run with its own id (<see cref="RunIds"/>; the first
/// run's id is chosen here so the answer can name it). The singleton rule acts on the target's instance:
/// <list type="bullet">
/// <item>deployment: a duplicate event id is skipped; a running warm-up is restarted (terminate, wait, schedule) unless it
/// is a deployment warm-up that started within the debounce window, in which case the event belongs to the same deployment
/// and is skipped. The restart cancels the running warm-up (<see cref="CancelAndWaitAsync"/>), so its run still records
/// its report with the outcome cancelled;</item>
/// <item>idle: skipped when the target is already warming;</item>
/// <item>manual: refused (skipped, already-warming) when the target is already warming.</item>
/// </list>
/// Dedupe: a deployment warm-up's CorrelationId is the triggering event id, so a redelivered event finds its own id on the
/// target's instance and is dropped; no extra store is needed. A lost race (ScheduleNew finds the instance already
/// there) is reported as already-warming.
/// </summary>
public sealed partial class WarmupStarter(WarmupOptions options, IWarmupEventSink events, TimeProvider time, ILogger<WarmupStarter> logger)
{
    private static readonly OrchestrationRuntimeStatus[] ActiveStatuses =
        [OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Suspended];

    public static bool IsActive(OrchestrationMetadata? instance) => instance is not null && ActiveStatuses.Contains(instance.RuntimeStatus);

    /// <summary>Starts a full warm-up for a deployment event, restarting a running one (see the class remarks).</summary>
    public async Task<StartResult> StartForDeploymentAsync(DurableTaskClient client, WarmupTarget target, string eventId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        var id = TaskNames.InstanceIdFor(target.Name);
        var existing = await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken);

        if (existing is not null && ReadRequest(existing)?.CorrelationId == eventId)
        {
            return Skip(target, WarmupReasons.Deployment, SkipReasons.DuplicateEvent,
                $"event {eventId} already started {id} ({existing.RuntimeStatus})");
        }

        var restarting = false;
        if (IsActive(existing))
        {
            var age = time.GetUtcNow() - existing!.CreatedAt;
            // Only a deployment warm-up can be "the same deployment"; a young idle or manual run would leave the new
            // replicas cold, so it is restarted like any other.
            if (age < options.DeploymentDebounce && ReadRequest(existing)?.Reason == WarmupReasons.Deployment)
            {
                return Skip(target, WarmupReasons.Deployment, SkipReasons.Debounced,
                    $"{id} started {age.TotalSeconds:F0} s ago (debounce {options.DeploymentDebounce.TotalSeconds:F0} s); event {eventId} is taken as the same deployment");
            }

            await CancelAndWaitAsync(client, id, $"superseded by deployment event {eventId}", cancellationToken);
            restarting = true;
        }

        var request = new WarmupRequest(target.Name, WarmupReasons.Deployment, PlanSpec.FromPreset(PlanPresets.Default), eventId, TraceParent: WarmupSpans.CurrentTraceParent());
        var result = await ScheduleAsync(client, target, request, WarmupReasons.Deployment, cancellationToken);
        return restarting && result.Outcome == StartOutcome.Started ? result with { Outcome = StartOutcome.Restarted, Detail = $"restarted {id} for event {eventId}" } : result;
    }

    /// <summary>Starts a light idle re-warm unless the target is already warming.</summary>
    public async Task<StartResult> StartForIdleAsync(DurableTaskClient client, WarmupTarget target, string detail, CancellationToken cancellationToken)
    {
        var id = TaskNames.InstanceIdFor(target.Name);
        var existing = await client.GetInstanceAsync(id, getInputsAndOutputs: false, cancellationToken);
        if (IsActive(existing))
        {
            return Skip(target, WarmupReasons.Idle, SkipReasons.AlreadyWarming, $"{id} is {existing!.RuntimeStatus}");
        }

        var request = new WarmupRequest(target.Name, WarmupReasons.Idle, PlanSpec.FromPreset(PlanPresets.Light), NewCorrelationId(), TraceParent: WarmupSpans.CurrentTraceParent());
        var result = await ScheduleAsync(client, target, request, WarmupReasons.Idle, cancellationToken);
        return result.IsStarted ? result with { Detail = $"{result.Detail}: {detail}" } : result;
    }

    /// <summary>Starts a manual warm-up; refuses (Skipped, already-warming) when one is running.</summary>
    public async Task<StartResult> StartManualAsync(DurableTaskClient client, WarmupTarget target, PlanSpec plan, double threshold, CancellationToken cancellationToken)
    {
        var id = TaskNames.InstanceIdFor(target.Name);
        var existing = await client.GetInstanceAsync(id, getInputsAndOutputs: false, cancellationToken);
        if (IsActive(existing))
        {
            return Skip(target, WarmupReasons.Manual, SkipReasons.AlreadyWarming,
                $"target '{target.Name}' is already warming ({id} is {existing!.RuntimeStatus} since {existing.CreatedAt:O})");
        }

        var request = new WarmupRequest(target.Name, WarmupReasons.Manual, plan, NewCorrelationId(), threshold, WarmupSpans.CurrentTraceParent());
        return await ScheduleAsync(client, target, request, WarmupReasons.Manual, cancellationToken);
    }

    private async Task<StartResult> ScheduleAsync(DurableTaskClient client, WarmupTarget target, WarmupRequest request, string trigger, CancellationToken cancellationToken)
    {
        var id = TaskNames.InstanceIdFor(target.Name);
        request = request with { RunId = RunIds.For(target.Name, time.GetUtcNow(), Guid.NewGuid()) };
        // A terminal instance with this id is replaced; an active one makes the call throw instead of silently replacing it.
        var start = new StartOrchestrationOptions(id).WithDedupeStatuses(ActiveStatuses);
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(TaskNames.TargetWarmupOrchestration, request, start, cancellationToken);
        }
        catch (Exception ex) when (IsAlreadyExists(ex))
        {
            return Skip(target, trigger, SkipReasons.AlreadyWarming, $"another trigger started {id} at the same moment");
        }
        LogStarted(logger, request.RunId, id, trigger, request.Plan.Preset, request.CorrelationId);
        return new StartResult(target.Name, id, StartOutcome.Started, null, $"started {request.RunId} ({request.Plan.Preset} plan)", request.CorrelationId, request.RunId);
    }

    /// <summary>
    /// Cancels a target's running warm-up through its cancel path (<see cref="RunCancellation"/>): the current run
    /// records its partial report (outcome cancelled). Waits for the target's instance to end; when it does not within
    /// <see cref="WarmupOptions.TerminationWait"/>, terminates it with its runs (no report then) and waits once more.
    /// </summary>
    public async Task CancelAndWaitAsync(DurableTaskClient client, string id, string why, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        await client.RaiseEventAsync(id, RunCancellation.EventName, why, cancellationToken);
        if (await WaitAsync(client, id, cancellationToken))
        {
            LogCancelled(logger, id, why);
            return;
        }

        await client.TerminateInstanceAsync(id, new TerminateInstanceOptions(Output: why, Recursive: true), cancellationToken);
        if (!await WaitAsync(client, id, cancellationToken))
        {
            // Transient: the caller fails, and the queue message / Event Grid delivery is retried.
            throw new TimeoutException($"{id} did not stop within {options.TerminationWait.TotalSeconds:F0} s of being cancelled and terminated; the event will be retried");
        }
        LogTerminated(logger, id, why);
    }

    /// <summary>Requests cancellation of a target's running warm-up and returns at once (DELETE).</summary>
    public async Task RequestCancelAsync(DurableTaskClient client, string id, string why, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        await client.RaiseEventAsync(id, RunCancellation.EventName, why, cancellationToken);
        LogCancelRequested(logger, id, why);
    }

    private async Task<bool> WaitAsync(DurableTaskClient client, string id, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.TerminationWait);
        try
        {
            await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: false, timeout.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    internal static bool IsAlreadyExists(Exception ex) =>
        ex is OrchestrationAlreadyExistsException || ex is RpcException { StatusCode: StatusCode.AlreadyExists };

    internal static WarmupRequest? ReadRequest(OrchestrationMetadata instance)
    {
        if (string.IsNullOrEmpty(instance.SerializedInput))
        {
            return null;
        }

        try
        {
            return instance.ReadInputAs<WarmupRequest>();
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or NotSupportedException)
        {
            return null;
        }
    }

    private StartResult Skip(WarmupTarget target, string trigger, string reason, string detail)
    {
        events.WarmupSkipped(target.Name, trigger, reason, detail);
        return new StartResult(target.Name, TaskNames.InstanceIdFor(target.Name), StartOutcome.Skipped, reason, detail);
    }

    private static string NewCorrelationId() => Guid.NewGuid().ToString("N");

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Started warm-up {RunId} in {InstanceId} ({Trigger}, {Plan} plan, correlation {CorrelationId})")]
    private static partial void LogStarted(ILogger logger, string? runId, string instanceId, string trigger, string plan, string correlationId);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Terminated warm-up {InstanceId} (it did not end on its cancel event, so its run left no report): {Why}")]
    private static partial void LogTerminated(ILogger logger, string instanceId, string why);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Cancelled warm-up {InstanceId}; its run recorded its report: {Why}")]
    private static partial void LogCancelled(ILogger logger, string instanceId, string why);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Cancel requested for warm-up {InstanceId}: {Why}")]
    private static partial void LogCancelRequested(ILogger logger, string instanceId, string why);
}
