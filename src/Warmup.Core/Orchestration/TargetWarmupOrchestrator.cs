using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Warmup.Core.Reporting;

namespace Warmup.Core.Orchestration;

/// <summary>
/// The entry point both hosts start (<see cref="TaskNames.TargetWarmupOrchestration"/>), one instance per target at a
/// time: instance id <c>warmup-{target}</c>, the singleton that the dedupe and restart rules act on. It runs each
/// warm-up as a <see cref="WarmupOrchestrator"/> sub-orchestration whose instance id is the run id
/// (<see cref="RunIds"/>), and an idle light run that ends not warm as a second run (<see cref="WarmupEscalation"/>).
/// A cancel event (<see cref="RunCancellation"/>) raised here is forwarded to the current run, which records its
/// partial report. Custom status: <see cref="TargetRunStatus"/> (which run is current). Output: the last run's report.
/// </summary>
public sealed class TargetWarmupOrchestrator : TaskOrchestrator<WarmupRequest, WarmupReport>
{
    public override async Task<WarmupReport> RunAsync(TaskOrchestrationContext context, WarmupRequest input)
    {
        var cancellation = RunCancellation.Listen(context);
        var runs = new List<string>();
        var report = await RunOnceAsync(context, input, cancellation, runs);
        if (!WarmupEscalation.ShouldEscalate(input, report) || cancellation.IsRequested)
        {
            return report;
        }

        context.CreateReplaySafeLogger<TargetWarmupOrchestrator>().LogWarning(
            "Idle light warm-up {RunId} of {Target} ended {Outcome}; escalating to the {Plan} plan",
            report.RunId, input.Target, report.Outcome, WarmupEscalation.EscalationPreset);
        return await RunOnceAsync(context, WarmupEscalation.Escalate(input), cancellation, runs);
    }

    private static async Task<WarmupReport> RunOnceAsync(
        TaskOrchestrationContext context, WarmupRequest request, RunCancellation cancellation, List<string> runs)
    {
        var generated = RunIds.For(request.Target, context.CurrentUtcDateTime, context.NewGuid());
        var runId = RunIds.BelongsTo(request.RunId, request.Target) ? request.RunId! : generated;
        runs.Add(runId);
        context.SetCustomStatus(new TargetRunStatus(runId, runs.ToArray()));
        var run = context.CallSubOrchestratorAsync<WarmupReport>(
            TaskNames.WarmupOrchestration, request, new SubOrchestrationOptions { InstanceId = runId });
        if (await Task.WhenAny(run, cancellation.Requested) != run)
        {
            // The run stops at its next await and records what it has; its report is still this run's output.
            context.SendEvent(runId, RunCancellation.EventName, await cancellation.Requested);
        }

        return await run;
    }
}

/// <summary>Custom status of a target's orchestration: its current (or last) run and every run it started, oldest first.</summary>
public sealed record TargetRunStatus(string CurrentRunId, IReadOnlyList<string> RunIds);
