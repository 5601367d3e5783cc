using Warmup.Core.Reporting;

namespace Warmup.Core.Telemetry;

/// <summary>
/// Sends a finished report to telemetry: the run span (real start/end), then WarmupRunCompleted and one
/// WarmupStepCompleted per step written inside it, so the events carry the run's operation id. Every outcome is
/// recorded, including failed, never-ready and not-warm runs.
/// </summary>
public sealed class TelemetryResultSink(WarmupEvents events) : IWarmupResultSink
{
    /// <summary>Joins the trace of the trigger recorded in the report, else the current span's.</summary>
    public Task RecordAsync(WarmupReport report, CancellationToken cancellationToken) =>
        RecordAsync(report, report.TraceParent ?? WarmupSpans.CurrentTraceParent(), cancellationToken);

    public Task RecordAsync(WarmupReport report, string? traceParent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        cancellationToken.ThrowIfCancellationRequested();

        using (WarmupSpans.StartRun(report, traceParent))
        {
            events.RunCompleted(report);
            for (var i = 0; i < report.Steps.Count; i++)
            {
                events.StepCompleted(report.Target, report.RunId, report.Steps[i], i, StepKinds.Plan);
            }

            if (report.FirstUserLike is { } firstUserLike)
            {
                events.StepCompleted(report.Target, report.RunId, firstUserLike, stepKind: StepKinds.FirstUserLike);
            }

            if (report.Steady is { } steady)
            {
                events.StepCompleted(report.Target, report.RunId, steady, stepKind: StepKinds.Steady);
            }
        }

        return Task.CompletedTask;
    }
}
