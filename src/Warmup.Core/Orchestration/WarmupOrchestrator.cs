using System.Globalization;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Warmup.Core.Adaptive;
using Warmup.Core.Analysis;
using Warmup.Core.Planning;
using Warmup.Core.Readiness;
using Warmup.Core.Reliability;
using Warmup.Core.Reporting;

namespace Warmup.Core.Orchestration;

/// <summary>
/// The one warm-up flow, registered by both hosts under <see cref="TaskNames.WarmupOrchestration"/>:
/// WaitUntilReady, ResolvePlan, the plan's levels in order (the steps of one level fanned out together, one
/// activity per step; <see cref="RunGuards"/> before and after each), Verify, Record. The adaptive preset runs its
/// rounds of levels and verification instead of the single plan (<see cref="AdaptiveWarmup"/>), inside this same run.
/// Every run ends in Record, also when the target never became ready or an activity failed after its retries, or it
/// was cancelled (<see cref="RunCancellation"/>), so a failed or cancelled warm-up still leaves its report and
/// telemetry. Started by <see cref="TargetWarmupOrchestrator"/>; its instance id is the run id.
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
        if (readiness.LastError == WaitUntilReadyActivity.CancelledWhileWaiting)
        {
            // Cut short by this run's own cancel (RunWaitCancellation): its event was raised first but may be delivered
            // after this result, so wait for it rather than report the target as never ready.
            throw new RunCancelledException(await cancellation.Requested);
        }

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

        if (AdaptiveWarmup.Handles(input.Plan))
        {
            await AdaptiveWarmup.RunAsync(context, input, readiness, report, cancellation);
            return;
        }

        context.SetCustomStatus(new WarmupProgress("plan", 0, 0, "resolving the plan"));
        var plan = await cancellation.RaceAsync(context.CallActivityAsync<WarmupPlan>(
            TaskNames.ResolvePlan, new ResolvePlanInput(input.Target, input.Plan, readiness.MaxContext), ActivityRetry.Options));
        report.WithPlan(plan);

        var total = plan.Steps.Count;
        if (await RunLevelsAsync(context, input, plan, context.NewGuid().ToString("N"), report, cancellation) is null
            || (report.MayHaveRestarted() && !await SendPlanAgainAsync()))
        {
            return;
        }

        context.SetCustomStatus(new WarmupProgress(Phases.Verify, total, total, "verifying: first-user-like requests against the steady state"));
        var verification = await VerifyAsync(
            context,
            input,
            salt => new VerifyInput(input.Target, plan, readiness.MaxContext, input.Threshold, salt, input.CorrelationId, input.TraceParent),
            report,
            cancellation,
            SendPlanAgainAsync);
        if (verification is not null)
        {
            log.LogInformation("Warm-up of {Target}: warm={IsWarm} ({Reason})", input.Target, verification.Verdict.IsWarm, verification.Verdict.Reason);
        }

        // The plan's steps again, within what is left of the target's budget (false: a guard ended the run).
        async Task<bool> SendPlanAgainAsync()
            => await SendAgainAsync(
                context, input, plan.Steps, _ => plan.StepTokenBudget is { } budget ? budget - report.StepTokens - report.DiscardedTokens : long.MaxValue,
                note => report.AddNote(note), report, cancellation) is not null;
    }

    /// <summary>
    /// Runs the verification and records it in the report. When its requests failed because the server went away
    /// (<see cref="OutageRecovery"/>) and it answers again, the verification is run again whole, with fresh salts
    /// (<paramref name="verifyInput"/> builds it from one), after <paramref name="afterOutage"/> when the server may have
    /// restarted (false: a guard ended the run). Returns the verification, or null when a guard ended the run (the report says why).
    /// </summary>
    internal static async Task<VerificationResult?> VerifyAsync(
        TaskOrchestrationContext context, WarmupRequest input, Func<string, VerifyInput> verifyInput, ReportBuilder report, RunCancellation cancellation,
        Func<Task<bool>>? afterOutage = null)
    {
        var verification = await cancellation.RaceAsync(VerifyOnceAsync(context, verifyInput));
        while (OutageRecovery.ServerGone(Steps(verification)) && report.ServerGoneCount < OutageRecovery.MaxOutagesPerRun)
        {
            var outage = await cancellation.RaceAsync(OutageRecovery.AwaitReturnAsync(context, input.Target, Steps(verification), 0, report, duringVerification: true));
            if (outage == OutageOutcome.GaveUp)
            {
                return null;
            }

            if (outage == OutageOutcome.NotGone)
            {
                break;
            }

            report.Discard(Steps(verification));
            if (afterOutage is not null && report.MayHaveRestarted(report.OutageCount - 1) && !await afterOutage())
            {
                return null;
            }

            verification = await cancellation.RaceAsync(VerifyOnceAsync(context, verifyInput));
        }

        report.WithVerification(verification.FirstUserLike, verification.Steady, verification.Verdict);
        return RunGuards.AbortAfter(Steps(verification), report) ? null : verification;
    }

    /// <summary>
    /// After the server stopped answering and came back as a new process, or one its metrics could not tell apart
    /// (<see cref="OutageRecovery"/>, <see cref="ServerOutage.Restarted"/>): sends every step of the run so far again,
    /// with fresh salts, as many as fit what is left of the budget (<paramref name="tokensLeft"/>, given the results of
    /// the passes before; <see cref="ResendBudget"/>, whose note goes to <paramref name="note"/>). A server that restarted
    /// has lost what it compiled; one that was only unreachable finds them warm, at the cost of their tokens. Returns
    /// their results (also in the report), or null when a guard ended the run.
    /// </summary>
    internal static async Task<IReadOnlyList<StepResult>?> SendAgainAsync(
        TaskOrchestrationContext context, WarmupRequest input, IReadOnlyList<PlanStep> sent, Func<IReadOnlyList<StepResult>, long> tokensLeft,
        Action<string> note, ReportBuilder report, RunCancellation cancellation, int maxInFlight = int.MaxValue, string? stage = null)
    {
        var results = new List<StepResult>();
        // A restart during a pass loses it too, so the steps are sent again; each pass past the first costs one of the
        // run's outages.
        for (var pass = 0; pass <= OutageRecovery.MaxOutagesPerRun; pass++)
        {
            var outages = report.OutageCount;
            var (steps, leftOut) = ResendBudget.Fit(sent, tokensLeft(results));
            if (leftOut is not null)
            {
                note(leftOut);
            }

            var again = await RunLevelsAsync(
                context, input, new WarmupPlan("sent again after an outage", [.. steps]), context.NewGuid().ToString("N"), report, cancellation, maxInFlight,
                stage is null ? "after the outage" : $"{stage}, after the outage");
            if (again is null)
            {
                return null;
            }

            results.AddRange(again);
            if (!report.MayHaveRestarted(outages))
            {
                break;
            }
        }

        return results;
    }

    private static Task<VerificationResult> VerifyOnceAsync(TaskOrchestrationContext context, Func<string, VerifyInput> verifyInput)
        => context.CallActivityAsync<VerificationResult>(TaskNames.Verify, verifyInput(context.NewGuid().ToString("N")), ActivityRetry.Options);

    private static StepResult[] Steps(VerificationResult verification) => [verification.FirstUserLike, verification.Steady];

    // A finished run's status says how it ended, not what it was last doing.
    private static WarmupProgress Finished(WarmupReport report) =>
        new(WarmupProgress.DonePhase, report.Steps.Count, report.Steps.Count, $"finished: {report.Outcome}");

    /// <summary>
    /// Runs the plan's levels in order, the steps of one level fanned out together (one activity per step), and adds
    /// their results to the report. Before each level the run waits while the target is busy with users, and after it
    /// the run stops when too many requests failed (<see cref="RunGuards"/>); every wait races the cancel path. A level whose
    /// server went away is resumed once the server answers again (<see cref="OutageRecovery"/>).
    /// <paramref name="maxInFlight"/> splits a level whose steps together would have more requests in flight than that
    /// (the adaptive loop's many prompt rungs). Returns the steps' results, or null when a guard ended the run.
    /// </summary>
    internal static async Task<IReadOnlyList<StepResult>?> RunLevelsAsync(
        TaskOrchestrationContext context, WarmupRequest input, WarmupPlan plan, string salt, ReportBuilder report,
        RunCancellation cancellation, int maxInFlight = int.MaxValue, string? stage = null)
    {
        var total = plan.Steps.Count;
        var results = new List<StepResult>(total);
        foreach (var level in plan.Levels())
        {
            if (await cancellation.RaceAsync(RunGuards.WaitWhileBusyAsync(context, input.Target, report)))
            {
                return null;
            }

            foreach (var part in Split(level, maxInFlight))
            {
                var first = part.Steps[0].Index + 1;
                var last = part.Steps[^1].Index + 1;
                var description = Describe(first, last, total, part);
                context.SetCustomStatus(new WarmupProgress(
                    Phases.Warmup, first, total, stage is null ? description : $"{stage}: {description}"));
                var fanOut = part.Steps.Select(s => RunStepAsync(context, input, s, salt)).ToList();
                var done = await cancellation.RaceAsync(Task.WhenAll(fanOut));
                while (OutageRecovery.ServerGone(done) && report.ServerGoneCount < OutageRecovery.MaxOutagesPerRun)
                {
                    // The server went away mid-level: wait for it like at the start, then re-run what did not finish.
                    var unfinished = Enumerable.Range(0, done.Length).Where(i => done[i].Succeeded < done[i].Requests).ToList();
                    var outage = await cancellation.RaceAsync(OutageRecovery.AwaitReturnAsync(context, input.Target, done, unfinished.Count, report));
                    if (outage == OutageOutcome.GaveUp)
                    {
                        return null;
                    }

                    if (outage == OutageOutcome.NotGone)
                    {
                        break;
                    }

                    var freshSalt = context.NewGuid().ToString("N");
                    report.Discard(unfinished.Select(i => done[i]));
                    var again = await cancellation.RaceAsync(Task.WhenAll(unfinished.Select(i => RunStepAsync(context, input, part.Steps[i], freshSalt))));
                    for (var j = 0; j < unfinished.Count; j++)
                    {
                        done[unfinished[j]] = again[j];
                    }
                }

                report.AddSteps(done);
                results.AddRange(done);
                if (RunGuards.AbortAfter(done, report))
                {
                    return null;
                }
            }
        }

        return results;
    }

    private static Task<StepResult> RunStepAsync(TaskOrchestrationContext context, WarmupRequest input, IndexedStep step, string salt) =>
        context.CallActivityAsync<StepResult>(
            TaskNames.RunStep,
            new RunStepInput(input.Target, step.Step, Phases.Warmup, step.Index, salt, input.CorrelationId, input.TraceParent),
            ActivityRetry.Options);

    private static IEnumerable<PlanLevel> Split(PlanLevel level, int maxInFlight)
    {
        var part = new List<IndexedStep>();
        var inFlight = 0;
        foreach (var step in level.Steps)
        {
            if (part.Count > 0 && inFlight + step.Step.Concurrency > maxInFlight)
            {
                yield return level with { Steps = part };
                part = [];
                inFlight = 0;
            }

            part.Add(step);
            inFlight += step.Step.Concurrency;
        }

        if (part.Count > 0)
        {
            yield return level with { Steps = part };
        }
    }

    private static string PlanName(PlanSpec plan) => string.IsNullOrWhiteSpace(plan.Preset) ? "custom" : plan.Preset;

    private static string Describe(int first, int last, int total, PlanLevel level)
    {
        var steps = first == last ? $"step {first} of {total}" : $"steps {first}-{last} of {total}";
        var lengths = string.Join(", ", level.Steps.Select(s => s.Step.PromptTokens.ToString(CultureInfo.InvariantCulture)));
        return $"{steps}: concurrency {level.Concurrency}, prompts of {lengths} tokens";
    }
}
