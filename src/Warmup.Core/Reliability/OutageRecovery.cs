using System.Globalization;
using Microsoft.DurableTask;
using Warmup.Core.Analysis;
using Warmup.Core.Orchestration;
using Warmup.Core.Probing;
using Warmup.Core.Readiness;
using Warmup.Core.Reporting;

namespace Warmup.Core.Reliability;

/// <summary>
/// A server that dies in the middle of a run and comes back: when a level's failures are all connection-level
/// (refused or reset: nothing answered, the server is gone, as opposed to timeouts or HTTP errors from a live server),
/// the run waits for the same readiness gate it starts with (bounded by the target's ready deadline), then re-runs the
/// level's unfinished steps with fresh salts and continues. The same for the verification, which is then run again whole:
/// its verdict compares each first request with steady requests of the same server, so half a verification from before
/// the outage says nothing about the server that came back. A server that came back may have restarted and lost what it
/// compiled: its metrics are read again and compared with the reading before the level (<see cref="ServerProcess"/>), and
/// unless they show the same process the run sends its steps again (<see cref="WarmupOrchestrator.SendAgainAsync"/>).
/// Deterministic: decided from activity results only.
/// At most <see cref="MaxOutagesPerRun"/> times per run, so a server that resets every connection without dying still
/// ends (aborted, by the circuit) instead of being retried forever.
/// </summary>
public static class OutageRecovery
{
    public const int MaxOutagesPerRun = 3;

    private static readonly HashSet<string> Gone = [nameof(ProbeOutcome.ConnectionRefused), nameof(ProbeOutcome.ConnectionReset)];

    /// <summary>Whether the level's failures say the server is gone: some requests were refused or reset, and every
    /// other failure is a request the run's circuit then held back.</summary>
    public static bool ServerGone(IReadOnlyCollection<StepResult> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var errors = StepAggregator.MergeErrors(steps.Select(s => s.ErrorsByOutcome));
        return errors.Keys.Any(Gone.Contains)
               && errors.Keys.All(k => Gone.Contains(k) || k == nameof(ProbeOutcome.NotSent));
    }

    /// <summary>
    /// Waits for the readiness gate again. A server that answers its first readiness poll was not gone (a live server
    /// resetting streams): nothing is recorded and the run's other guards decide (<see cref="OutageOutcome.NotGone"/>).
    /// Otherwise the outage is recorded in the report; when the server did not answer again within its ready deadline
    /// the run has ended aborted, with a reason that says so (<see cref="OutageOutcome.GaveUp"/>).
    /// </summary>
    public static async Task<OutageOutcome> AwaitReturnAsync(
        TaskOrchestrationContext context, string target, IReadOnlyCollection<StepResult> failed, int stepsToResend, ReportBuilder report,
        bool duringVerification = false)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(failed);
        ArgumentNullException.ThrowIfNull(report);
        var detected = context.CurrentUtcDateTime;
        context.SetCustomStatus(new WarmupProgress("readiness", 0, 0, $"{target} stopped answering in the middle of the run: waiting for it to answer again"));
        var readiness = await context.CallActivityAsync<ReadinessResult>(TaskNames.WaitUntilReady, target, ActivityRetry.Options);
        var back = readiness.Ready && readiness.ConfigurationError is null;
        if (back && readiness.Attempts <= 1)
        {
            return OutageOutcome.NotGone;
        }

        var waited = context.CurrentUtcDateTime - detected;
        var failures = StepAggregator.MergeErrors(failed.Select(s => s.ErrorsByOutcome));
        var outage = new ServerOutage(detected, waited.TotalMilliseconds, back, readiness.Attempts, failures, back ? stepsToResend : 0, duringVerification);
        if (back)
        {
            var load = await context.CallActivityAsync<TargetLoad>(TaskNames.ReadLoad, target, ActivityRetry.Options);
            // Served since the last reading: the report's steps, and the failed level's (or verification's) results, which
            // the report does not hold yet. A level's finished steps join the report later, though served before this
            // reading.
            var restart = ServerProcess.Compare(report.LastSeenProcess, load.Process, report.ServedSinceProcessReading + Served.Of(failed));
            var pending = duringVerification ? default : Served.Of(failed.Where(s => s.Succeeded == s.Requests));
            report.SawProcess(load.Process, pending).AddOutage(outage with { Restarted = restart.Restarted, RestartEvidence = restart.Evidence });
            return OutageOutcome.Resumed;
        }

        report.AddOutage(outage);
        report.EndEarly(RunOutcomes.Aborted, string.Create(CultureInfo.InvariantCulture,
            $"the server stopped answering at {detected:HH:mm:ss}Z ({string.Join(", ", failures.Select(f => $"{f.Key}: {f.Value}"))}) and did not answer again within its ready deadline ({readiness.ConfigurationError ?? readiness.LastError}); {(duringVerification ? "the verification was not finished" : "the rest of the plan was not sent")}"));
        return OutageOutcome.GaveUp;
    }
}

/// <summary>What waiting for a server that stopped answering came to.</summary>
public enum OutageOutcome
{
    /// <summary>It answered again: re-run the unfinished steps (the verification).</summary>
    Resumed,

    /// <summary>It answered the first readiness poll: it was not gone; the run's other guards decide.</summary>
    NotGone,

    /// <summary>It did not answer within its ready deadline: the run has ended aborted.</summary>
    GaveUp,
}
