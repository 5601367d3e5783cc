using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Warmup.Core.Reporting;

namespace Warmup.Core.Orchestration;

/// <summary>
/// Runs warm-ups on an embedded Durable engine (the CLI's in-process host) through its <see cref="DurableTaskClient"/>:
/// starts the entry point both hosts register (<see cref="TaskNames.TargetWarmupOrchestration"/>, instance
/// <c>warmup-{target}</c>), reports the current run's custom status as progress, and returns the last run's report.
/// The host itself (DurableTaskTestHost, registry <see cref="DurableTaskRegistryExtensions.AddWarmupTasks"/> and services
/// <see cref="ServiceCollectionExtensions.AddWarmupEngine"/>) is built by the CLI: Core does not reference it.
/// </summary>
/// <param name="waits">The host's <see cref="RunWaitCancellation"/>, so a cancel also cuts the run's readiness wait short.</param>
public sealed class EmbeddedWarmupEngine(DurableTaskClient client, TimeProvider? time = null, RunWaitCancellation? waits = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>How often progress is read while a run is in flight.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long a cancelled run may take to record its partial report before it is terminated.</summary>
    public TimeSpan CancelGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The report a run's Record step has taken, by run id (the host's own result sink), or null when there is none.
    /// A cancelled run's report is returned from here as soon as it is recorded: on the in-memory backend the run's
    /// orchestration does not always reach Completed once it has stopped waiting for a step still in flight, and the
    /// recorded report is the same one it would return.
    /// </summary>
    public Func<string, WarmupReport?>? RecordedReport { get; init; }

    /// <summary>
    /// Runs one warm-up to its end and returns its report (outcome warm, not-warm, never-ready or failed). Cancelling
    /// <paramref name="cancellationToken"/> cancels the run through its cancel path (<see cref="RunCancellation"/>): the
    /// run records its partial report, which is returned with the outcome cancelled.
    /// </summary>
    /// <param name="cancelReason">Says why, when the token is cancelled (e.g. which signal); default "cancelled by the caller".</param>
    /// <exception cref="WarmupRunException">The orchestration itself failed or was terminated (no report exists).</exception>
    /// <remarks>
    /// When the run cannot record its report within <see cref="CancelGrace"/> (or the engine is gone), the report returned
    /// is made here from the request alone, without measurements (<see cref="IsUnrecorded"/>): no sink has it yet.
    /// </remarks>
    public async Task<WarmupReport> RunAsync(
        WarmupRequest request, IProgress<WarmupProgress>? progress = null, CancellationToken cancellationToken = default, Func<string>? cancelReason = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var instanceId = TaskNames.InstanceIdFor(request.Target);
        var startedAt = _time.GetUtcNow();
        await client.ScheduleNewOrchestrationInstanceAsync(
            TaskNames.TargetWarmupOrchestration, request, new StartOrchestrationOptions(instanceId), CancellationToken.None).ConfigureAwait(false);

        try
        {
            return await FollowAsync(instanceId, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception cut) when (cancellationToken.IsCancellationRequested && cut is not WarmupRunException)
        {
            // Not only OperationCanceledException: a status read cut short by the token ends as an RpcException
            // (Cancelled) over gRPC, and a signal can land in the middle of one.
            var reason = cancelReason?.Invoke() ?? "cancelled by the caller";
            await client.RaiseEventAsync(instanceId, RunCancellation.EventName, reason, CancellationToken.None).ConfigureAwait(false);
            var runId = await CurrentRunIdAsync(instanceId).ConfigureAwait(false);
            if (runId is not null && waits is not null)
            {
                // The run must see its cancel event before the readiness result that cancelling the wait produces, so it
                // gets the event directly too (the forwarded copy from the target's orchestration comes later).
                await client.RaiseEventAsync(runId, RunCancellation.EventName, reason, CancellationToken.None).ConfigureAwait(false);
                waits.Cancel(runId);
            }

            using var grace = new CancellationTokenSource(CancelGrace, _time);
            try
            {
                return await FollowAsync(instanceId, progress, grace.Token, runId).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not WarmupRunException)
            {
                // The engine could not finish the cancel path in time (or is gone: a host that stops on the same signal).
                // The run's measurements are lost with it; the caller still gets a cancelled report that says so.
                try
                {
                    await client.TerminateInstanceAsync(instanceId, new TerminateInstanceOptions(reason, Recursive: true), CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception terminate) when (terminate is not OutOfMemoryException)
                {
                    // Best effort: the engine is going away with the process anyway.
                }

                return Unrecorded(request with { RunId = runId ?? request.RunId }, startedAt, $"{reason}; the engine stopped before the run recorded its measurements");
            }
        }
    }

    /// <summary>Whether <paramref name="report"/> was made here because the run could not record its own (see RunAsync).</summary>
    public static bool IsUnrecorded(WarmupReport report) => report.Readiness == UnrecordedReadiness;

    private static readonly Readiness.ReadinessResult UnrecordedReadiness = new(false, 0, 0, "the run was cancelled before it recorded its report");

    private WarmupReport Unrecorded(WarmupRequest request, DateTimeOffset startedAt, string reason) =>
        new ReportBuilder(request.RunId ?? TaskNames.InstanceIdFor(request.Target), request.CorrelationId, request.Target, request.Reason,
                string.IsNullOrWhiteSpace(request.Plan.Preset) ? "custom" : request.Plan.Preset, startedAt)
            .WithReadiness(UnrecordedReadiness)
            .Cancel(reason)
            .Build(_time.GetUtcNow()) with { TraceParent = request.TraceParent };

    /// <param name="cancelledRunId">In the cancel path, the run whose recorded report (<see cref="RecordedReport"/>) ends the wait.</param>
    private async Task<WarmupReport> FollowAsync(
        string instanceId, IProgress<WarmupProgress>? progress, CancellationToken cancellationToken, string? cancelledRunId = null)
    {
        WarmupProgress? last = null;
        while (true)
        {
            var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
            if (instance is not null)
            {
                if (progress is not null && await CurrentProgressAsync(instance, cancellationToken).ConfigureAwait(false) is { } current && current != last)
                {
                    progress.Report(current);
                    last = current;
                }

                switch (instance.RuntimeStatus)
                {
                    case OrchestrationRuntimeStatus.Completed:
                        return instance.ReadOutputAs<WarmupReport>()
                               ?? throw new WarmupRunException(instanceId, "the run completed without a report");
                    case OrchestrationRuntimeStatus.Failed:
                        throw new WarmupRunException(instanceId, instance.FailureDetails?.ErrorMessage ?? "the run failed");
                    case OrchestrationRuntimeStatus.Terminated:
                        throw new WarmupRunException(instanceId, "the run was terminated");
                }
            }

            if (cancelledRunId is not null && RecordedReport?.Invoke(cancelledRunId) is { } recorded)
            {
                return recorded;
            }

            await Task.Delay(PollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<string?> CurrentRunIdAsync(string instanceId)
    {
        try
        {
            var target = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, CancellationToken.None).ConfigureAwait(false);
            var runId = target?.SerializedCustomStatus is null ? null : target.ReadCustomStatusAs<TargetRunStatus>()?.CurrentRunId;
            return runId ?? (target?.SerializedInput is null ? null : target.ReadInputAs<WarmupRequest>()?.RunId);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;   // the engine is going away; the run id is then unknown
        }
    }

    /// <summary>The custom status of the target's current run (the target's orchestration only says which run that is).</summary>
    private async Task<WarmupProgress?> CurrentProgressAsync(OrchestrationMetadata target, CancellationToken cancellationToken)
    {
        if (target.SerializedCustomStatus is null || target.ReadCustomStatusAs<TargetRunStatus>() is not { } runs)
        {
            return null;
        }

        var run = await client.GetInstanceAsync(runs.CurrentRunId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        return run?.SerializedCustomStatus is null ? null : run.ReadCustomStatusAs<WarmupProgress>();
    }
}

/// <summary>The orchestration failed as a whole (not a warm-up failure, which comes back as a report).</summary>
public sealed class WarmupRunException(string instanceId, string message) : Exception($"warm-up run {instanceId}: {message}")
{
    public string InstanceId { get; } = instanceId;
}
