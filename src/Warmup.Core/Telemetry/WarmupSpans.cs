using System.Diagnostics;
using Warmup.Core.Analysis;
using Warmup.Core.Planning;
using Warmup.Core.Reporting;

namespace Warmup.Core.Telemetry;

/// <summary>
/// Spans of a warm-up, all in the trace of the trigger that started it, across Durable activities that may run in
/// other processes. The trigger captures <see cref="CurrentTraceParent"/>; activities pass it back in
/// (RunStepInput/VerifyInput.TraceParent). Tree:
/// <code>
/// trigger (HTTP / Event Grid / timer / CLI)
/// ├── warmup.run        Consumer, real start/end of the run  (Application Insights: requests)
/// └── [Durable activity span, when it shares the trace]
///     └── warmup.step   Internal, one per plan step / verify  (dependencies, type InProc)
///         └── warmup.request  Client, one per HTTP request   (dependencies, type HTTP; emitted by the probe)
/// </code>
/// The run span is written when the report is recorded, so it cannot be the steps' parent (its span id does not exist
/// while they run); run and steps are siblings under the trigger and share warmup.run_id / operation_Id.
/// </summary>
public static class WarmupSpans
{
    public const string RunSpanName = "warmup.run";
    public const string StepSpanName = "warmup.step";
    public const string TriggerSpanName = "warmup.trigger";

    /// <summary>W3C traceparent of the current span, for a trigger to hand to the orchestration; null when not traced.</summary>
    public static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    /// <summary>
    /// A root for runs started where no host span exists (the CLI): a Producer span whose context the run's
    /// TraceParent carries. Functions triggers already run inside the worker's invocation span and don't need it.
    /// </summary>
    public static Activity? StartTrigger(string trigger, string? target = null)
    {
        var activity = WarmupTelemetry.Source.StartActivity(TriggerSpanName, ActivityKind.Producer);
        activity?.SetTag(WarmupTagNames.SpanTrigger, trigger);
        activity?.SetTag(WarmupTagNames.SpanTarget, target);
        activity?.SetTag(WarmupTagNames.SyntheticSource, WarmupTagNames.SyntheticSourceValue);
        return activity;
    }

    /// <summary>
    /// Starts the span of one step; <c>using</c> it around the step's probes so their request spans become its
    /// children. Parent: the current span when it is already in the run's trace (a Durable activity span), else
    /// <paramref name="traceParent"/> (with a link to the unrelated current span), else the current span.
    /// </summary>
    public static Activity? StartStep(string? traceParent, string target, PlanStep step, string phase, int stepIndex, string? runId = null)
    {
        ArgumentNullException.ThrowIfNull(step);
        var parent = ResolveParent(traceParent, out var links);
        var activity = WarmupTelemetry.Source.StartActivity(StepSpanName, ActivityKind.Internal, parent, links: links);
        if (activity is null)
        {
            return null;
        }

        activity.DisplayName = $"{StepSpanName} {phase} {step.PromptTokens}x{step.Concurrency}";
        activity.SetTag(WarmupTagNames.SpanTarget, target);
        activity.SetTag(WarmupTagNames.SpanRunId, runId);
        activity.SetTag(WarmupTagNames.SpanPhase, phase);
        activity.SetTag(WarmupTagNames.SpanStepIndex, stepIndex);
        activity.SetTag(WarmupTagNames.SpanPromptTokens, step.PromptTokens);
        activity.SetTag(WarmupTagNames.SpanPromptBucket, WarmupMetrics.PromptBucket(step.PromptTokens));
        activity.SetTag(WarmupTagNames.SpanMaxOutputTokens, step.MaxOutputTokens);
        activity.SetTag(WarmupTagNames.SpanConcurrency, step.Concurrency);
        activity.SetTag(WarmupTagNames.SpanAdapter, step.Adapter);
        activity.SetTag(WarmupTagNames.SyntheticSource, WarmupTagNames.SyntheticSourceValue);
        return activity;
    }

    /// <summary>Puts a step's results on its span; Error status when no request of the step succeeded.</summary>
    public static void CompleteStep(Activity? stepSpan, StepResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (stepSpan is null)
        {
            return;
        }

        stepSpan.SetTag(WarmupTagNames.SpanRequests, result.Requests);
        stepSpan.SetTag(WarmupTagNames.SpanErrors, result.Requests - result.Succeeded);
        stepSpan.SetTag(WarmupTagNames.SpanTokensGenerated, result.OutputTokens);
        stepSpan.SetTag(WarmupTagNames.SpanTtftP50, CustomEventState.Round(result.TtftMs.P50));
        stepSpan.SetTag(WarmupTagNames.SpanE2eP50, CustomEventState.Round(result.E2eMs.P50));
        if (result.Requests > 0 && result.Succeeded == 0)
        {
            stepSpan.SetStatus(ActivityStatusCode.Error, "no request of the step succeeded");
        }
    }

    /// <summary>Emits the run span with the report's real start and end time (for a finished report of any outcome).</summary>
    public static void RecordRun(WarmupReport report, string? traceParent)
    {
        using var _ = StartRun(report, traceParent);
    }

    /// <summary>
    /// Starts the run span back-dated to the report's start and already ended at its finish; disposing it exports
    /// it. While it is current, events written (see <see cref="TelemetryResultSink"/>) join it.
    /// </summary>
    public static Activity? StartRun(WarmupReport report, string? traceParent)
    {
        ArgumentNullException.ThrowIfNull(report);
        var (start, end) = RunWindow(report);
        var parent = ResolveParent(traceParent, out var links);
        var activity = WarmupTelemetry.Source.StartActivity(RunSpanName, ActivityKind.Consumer, parent, links: links, startTime: start);
        if (activity is null)
        {
            return null;
        }

        activity.DisplayName = $"{RunSpanName} {report.Target}";
        activity.SetTag(WarmupTagNames.SpanTarget, report.Target);
        if (report.Deployment is { } deployment)
        {
            activity.SetTag(WarmupTagNames.SpanDeployment, deployment);
        }

        activity.SetTag(WarmupTagNames.SpanRunId, report.RunId);
        activity.SetTag(WarmupTagNames.SpanCorrelationId, report.CorrelationId);
        activity.SetTag(WarmupTagNames.SpanReason, report.Reason);
        activity.SetTag(WarmupTagNames.SpanPlan, report.Plan);
        activity.SetTag(WarmupTagNames.SpanDialect, report.Dialect);
        activity.SetTag(WarmupTagNames.SpanModel, report.Model);
        activity.SetTag(WarmupTagNames.SpanOutcome, report.Outcome);
        activity.SetTag(WarmupTagNames.SpanTimeToReady, CustomEventState.Round(report.Readiness.TimeToReadyMs));
        activity.SetTag(WarmupTagNames.SpanRequests, report.Totals.Requests);
        activity.SetTag(WarmupTagNames.SpanErrors, report.Totals.Failed);
        activity.SetTag(WarmupTagNames.SpanTokensGenerated, report.Totals.OutputTokens);
        if (report.Verdict is { } verdict)
        {
            if (verdict.Ratio is { } ratio)
            {
                activity.SetTag(WarmupTagNames.SpanRatio, CustomEventState.Round(ratio));
            }

            activity.SetTag(WarmupTagNames.SpanThreshold, CustomEventState.Round(verdict.Threshold));
            activity.SetTag(WarmupTagNames.SpanIsWarm, verdict.IsWarm);
            if (verdict is { FirstTtftMs: { } first, SteadyTtftMs: { } steady })
            {
                activity.SetTag(WarmupTagNames.SpanFirstTtft, CustomEventState.Round(first));
                activity.SetTag(WarmupTagNames.SpanSteadyTtft, CustomEventState.Round(steady));
            }
        }

        activity.SetTag(WarmupTagNames.SyntheticSource, WarmupTagNames.SyntheticSourceValue);
        activity.SetStatus(
            report.Outcome == RunOutcomes.Warm ? ActivityStatusCode.Ok : ActivityStatusCode.Error,
            report.Outcome == RunOutcomes.Warm ? null : report.Error is { } error ? $"{report.Outcome}: {Truncate(error)}" : report.Outcome);

        // Stop() keeps an end time that is already set, so the span ends at the report's finish, not "now".
        activity.SetEndTime(end.UtcDateTime);
        return activity;
    }

    private static ActivityContext ResolveParent(string? traceParent, out ActivityLink[]? links)
    {
        links = null;
        if (!ActivityContext.TryParse(traceParent, null, isRemote: true, out var context))
        {
            return default; // StartActivity then uses Activity.Current
        }

        var current = Activity.Current;
        if (current is null)
        {
            return context;
        }

        if (current.TraceId == context.TraceId)
        {
            return current.Context; // deeper in the same trace (the Durable activity's span): keep it as parent
        }

        links = [new ActivityLink(current.Context)];
        return context;
    }

    private static (DateTimeOffset Start, DateTimeOffset End) RunWindow(WarmupReport report)
    {
        var end = report.FinishedAt == default ? DateTimeOffset.UtcNow : report.FinishedAt;
        var start = report.StartedAt == default ? end - TimeSpan.FromMilliseconds(Math.Max(0, report.DurationMs)) : report.StartedAt;
        if (end <= start)
        {
            // Zero-length spans would be stretched to "now" by Stop(); one tick keeps the recorded window.
            end = start + TimeSpan.FromTicks(1);
        }

        return (start, end);
    }

    private static string Truncate(string text) => text.Length <= 256 ? text : text[..256];
}
