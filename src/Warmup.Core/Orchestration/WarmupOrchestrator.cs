using System.Globalization;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Warmup.Core.Analysis;
using Warmup.Core.Planning;
using Warmup.Core.Readiness;
using Warmup.Core.Reliability;
using Warmup.Core.Reporting;

namespace Warmup.Core.Orchestration;

/// <summary>
/// The one warm-up flow, registered by both hosts under <see cref="TaskNames.WarmupOrchestration"/>:
/// WaitUntilReady, ResolvePlan, the plan's levels in order (the steps of one level fanned out together, one
/// activity per step; <see cref="RunGuards"/> before and after each), Verify, Record. Every run ends in Record, also
/// when the target never became ready or an activity failed after its retries, or it was cancelled
/// (<see cref="RunCancellation"/>), so a failed or cancelled warm-up still leaves its report and telemetry. Started by
/// <see cref="TargetWarmupOrchestrator"/>; its instance id is the run id.
/// Deterministic: time only from <c>context.CurrentUtcDateTime</c>, ids from <c>context.NewGuid()</c>, no I/O.
/// </summary>
public sealed class WarmupOrchestrator : TaskOrchestrator<WarmupRequest, WarmupReport>
{
    public override async Task<WarmupReport> RunAsync(TaskOrchestrationContext context, WarmupRequest input)
    {
        var log = context.CreateReplaySafeLogger<WarmupOrchestrator>();
        var cancellation = RunCancellation.Listen(context);
        var report = new ReportBuilder(
            context.InstanceId, input.CorrelationId, input.Target, input.Reason, PlanName(input.Plan), context.CurrentUtcDateTime);

        try
        {
            await WarmUpAsync(context, input, report, cancellation);
        }
        catch (RunCancelledException e)
        {
            log.LogWarning("Warm-up {RunId} of {Target} cancelled: {Reason}", context.InstanceId, input.Target, e.Reason);
            report.Cancel(e.Reason);
        }
        catch (TaskFailedException e)
        {
            var error = $"{e.TaskName} failed: {e.FailureDetails.ErrorMessage}";
            log.LogWarning("Warm-up of {Target} failed: {Error}", input.Target, error);
            report.Fail(error);
        }

        context.SetCustomStatus(new WarmupProgress("record", 0, 0, "recording the report"));
        var finished = report.Build(context.CurrentUtcDateTime) with { TraceParent = input.TraceParent };
        try
        {
            var recorded = await context.CallActivityAsync<WarmupReport>(TaskNames.Record, finished, ActivityRetry.Options);
            context.SetCustomStatus(Finished(recorded));
            return recorded;
        }
        catch (TaskFailedException e)
        {
            // The report is the run's output even when no sink took it.
            log.LogError("Recording the report of {Target} failed: {Error}", input.Target, e.FailureDetails.ErrorMessage);
            context.SetCustomStatus(Finished(finished));
            return finished with { Error = finished.Error ?? $"{e.TaskName} failed: {e.FailureDetails.ErrorMessage}" };
        }
    }

    private static async Task WarmUpAsync(TaskOrchestrationContext context, WarmupRequest input, ReportBuilder report, RunCancellation cancellation)
    {
        var log = context.CreateReplaySafeLogger<WarmupOrchestrator>();
        context.SetCustomStatus(new WarmupProgress("readiness", 0, 0, $"waiting for {input.Target} to answer its readiness signal"));
        var readiness = await cancellation.RaceAsync(
            context.CallActivityAsync<ReadinessResult>(TaskNames.WaitUntilReady, input.Target, ActivityRetry.Options));
        report.WithReadiness(readiness);
        if (readiness.ConfigurationError is not null)
        {
            log.LogWarning("{Target} is misconfigured: {Problem}", input.Target, readiness.ConfigurationError);
            return;
        }

        if (!readiness.Ready)
        {
            log.LogWarning("{Target} never became ready: {LastError}", input.Target, readiness.LastError);
            return;
        }

        context.SetCustomStatus(new WarmupProgress("plan", 0, 0, "resolving the plan"));
        var plan = await cancellation.RaceAsync(context.CallActivityAsync<WarmupPlan>(
            TaskNames.ResolvePlan, new ResolvePlanInput(input.Target, input.Plan, readiness.MaxContext), ActivityRetry.Options));
        report.WithPlan(plan);

        var salt = context.NewGuid().ToString("N");
        var total = plan.Steps.Count;
        foreach (var level in plan.Levels())
        {
            if (await cancellation.RaceAsync(RunGuards.WaitWhileBusyAsync(context, input.Target, report)))
            {
                return;
            }

            var first = level.Steps[0].Index + 1;
            var last = level.Steps[^1].Index + 1;
            context.SetCustomStatus(new WarmupProgress(
                Phases.Warmup, first, total, Describe(first, last, total, level)));
            var fanOut = level.Steps
                .Select(s => context.CallActivityAsync<StepResult>(
                    TaskNames.RunStep,
                    new RunStepInput(input.Target, s.Step, Phases.Warmup, s.Index, salt, input.CorrelationId, input.TraceParent),
                    ActivityRetry.Options))
                .ToList();
            var results = await cancellation.RaceAsync(Task.WhenAll(fanOut));
            report.AddSteps(results);
            if (RunGuards.AbortAfter(results, report))
            {
                return;
            }
        }

        context.SetCustomStatus(new WarmupProgress(Phases.Verify, total, total, "verifying: first-user-like requests against the steady state"));
        var verification = await cancellation.RaceAsync(context.CallActivityAsync<VerificationResult>(
            TaskNames.Verify,
            new VerifyInput(
                input.Target, plan, readiness.MaxContext, input.Threshold, context.NewGuid().ToString("N"), input.CorrelationId, input.TraceParent),
            ActivityRetry.Options));
        report.WithVerification(verification.FirstUserLike, verification.Steady, verification.Verdict);
        RunGuards.AbortAfter([verification.FirstUserLike, verification.Steady], report);
        log.LogInformation("Warm-up of {Target}: warm={IsWarm} ({Reason})", input.Target, verification.Verdict.IsWarm, verification.Verdict.Reason);
    }

    // A finished run's status says how it ended, not what it was last doing.
    private static WarmupProgress Finished(WarmupReport report) =>
        new(WarmupProgress.DonePhase, report.Steps.Count, report.Steps.Count, $"finished: {report.Outcome}");

    private static string PlanName(PlanSpec plan) => string.IsNullOrWhiteSpace(plan.Preset) ? "custom" : plan.Preset;

    private static string Describe(int first, int last, int total, PlanLevel level)
    {
        var steps = first == last ? $"step {first} of {total}" : $"steps {first}-{last} of {total}";
        var lengths = string.Join(", ", level.Steps.Select(s => s.Step.PromptTokens.ToString(CultureInfo.InvariantCulture)));
        return $"{steps}: concurrency {level.Concurrency}, prompts of {lengths} tokens";
    }
}
