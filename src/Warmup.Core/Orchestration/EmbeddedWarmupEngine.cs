using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Warmup.Core.Reporting;

namespace Warmup.Core.Orchestration;

/// <summary>
/// Runs warm-ups on an embedded Durable engine (the CLI's in-process host) through its <see cref="DurableTaskClient"/>:
/// schedules the orchestration, reports its custom status as progress, and returns the report. The host itself
/// (DurableTaskTestHost, registry <see cref="DurableTaskRegistryExtensions.AddWarmupTasks"/> and services
/// <see cref="ServiceCollectionExtensions.AddWarmupEngine"/>) is built by the CLI: Core does not reference it.
/// </summary>
public sealed class EmbeddedWarmupEngine(DurableTaskClient client, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>How often progress is read while a run is in flight.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Runs one warm-up to its end and returns its report (outcome warm, not-warm, never-ready or failed).
    /// Cancelling terminates the run.
    /// </summary>
    /// <exception cref="WarmupRunException">The orchestration itself failed or was terminated (no report exists).</exception>
    public async Task<WarmupReport> RunAsync(WarmupRequest request, IProgress<WarmupProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Unique per run: the CLI may warm the same target twice in one process.
        var instanceId = $"{TaskNames.InstanceIdFor(request.Target)}-{Guid.NewGuid().ToString("N")[..12]}";
        await client.ScheduleNewOrchestrationInstanceAsync(
            TaskNames.WarmupOrchestration, request, new StartOrchestrationOptions(instanceId), cancellationToken).ConfigureAwait(false);

        try
        {
            return await FollowAsync(instanceId, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await client.TerminateInstanceAsync(instanceId, "cancelled by the caller", CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<WarmupReport> FollowAsync(string instanceId, IProgress<WarmupProgress>? progress, CancellationToken cancellationToken)
    {
        WarmupProgress? last = null;
        while (true)
        {
            var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
            if (instance is not null)
            {
                if (progress is not null && instance.SerializedCustomStatus is not null
                    && instance.ReadCustomStatusAs<WarmupProgress>() is { } current && current != last)
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

            await Task.Delay(PollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>The orchestration failed as a whole (not a warm-up failure, which comes back as a report).</summary>
public sealed class WarmupRunException(string instanceId, string message) : Exception($"warm-up run {instanceId}: {message}")
{
    public string InstanceId { get; } = instanceId;
}
