using System.Globalization;
using Microsoft.DurableTask;
using Warmup.Core.Analysis;
using Warmup.Core.Orchestration;
using Warmup.Core.Probing;
using Warmup.Core.Reporting;

namespace Warmup.Core.Reliability;

/// <summary>
/// The orchestrator's per-level guards, deterministic (they decide from activity results and durable timers only):
/// wait while the target is busy with users, and end the run once its requests stop being worth sending.
/// Each returns true when the run must end; the report then already says why.
/// </summary>
public static class RunGuards
{
    /// <summary>
    /// Restarts acted on that only the metrics showed, per run. A real one between two levels is rare; readings that
    /// alternate between processes (replicas behind one address, which a single endpoint should not be) would otherwise
    /// send the run's steps again at every level. A second restart is still found if a request fails on it.
    /// </summary>
    public const int MaxRestartsSeenBetweenLevels = 1;

    private static readonly TimeSpan MinPollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Before a level: reads the target's load; while users keep it busy, waits (durable timer) up to the target's
    /// busyMaxWait, then proceeds when it is quiet or ends the run as <see cref="RunOutcomes.Busy"/>. Each reading also
    /// says which process answered (<see cref="ReportBuilder.SawProcess"/>), for an outage in the level, and shows a
    /// restart since the reading before, with no request failing (<see cref="ReadLoadAsync"/>).
    /// </summary>
    public static async Task<bool> WaitWhileBusyAsync(TaskOrchestrationContext context, string target, ReportBuilder report)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(report);
        var started = context.CurrentUtcDateTime;
        var load = await ReadLoadAsync(context, target, report);
        if (!load.IsBusy)
        {
            return false;
        }

        // Bounded by the target's own policy: at most busyMaxWait / busyPollInterval more readings.
        var interval = load.PollInterval < MinPollInterval ? MinPollInterval : load.PollInterval;
        var readings = (int)Math.Ceiling(load.MaxWait / interval);
        for (var i = 0; i < readings; i++)
        {
            var remaining = load.MaxWait - (context.CurrentUtcDateTime - started);
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }

            await context.CreateTimer(interval < remaining ? interval : remaining, CancellationToken.None);
            load = await ReadLoadAsync(context, target, report);
            if (!load.IsBusy)
            {
                return false;
            }
        }

        var waited = context.CurrentUtcDateTime - started;
        report.EndEarly(RunOutcomes.Busy, string.Create(CultureInfo.InvariantCulture,
            $"the target stayed busy with users ({load.Running:0} running, {load.Waiting:0} waiting) for {waited.TotalSeconds:0} s (limits.busyMaxWait {load.MaxWait}); the rest of the warm-up was not sent"));
        return true;
    }

    /// <summary>
    /// Reads the target's load and which process answered. A process certainly new since the last one a reading showed
    /// (<see cref="ServerProcess.CertainRestart"/>) restarted between the run's requests, e.g. during the minutes a busy
    /// wait polls: it is recorded as an outage (<see cref="ServerOutage.BetweenLevels"/>), so the run sends its steps
    /// again before verifying, as after any restart. Once per run (<see cref="MaxRestartsSeenBetweenLevels"/>), and
    /// not before the run's first step, when nothing was lost.
    /// </summary>
    private static async Task<TargetLoad> ReadLoadAsync(TaskOrchestrationContext context, string target, ReportBuilder report)
    {
        var load = await context.CallActivityAsync<TargetLoad>(TaskNames.ReadLoad, target, ActivityRetry.Options);
        if (report.RestartsSeenBetweenLevels < MaxRestartsSeenBetweenLevels && report.StepTokens > 0
            && ServerProcess.CertainRestart(report.LastKnownProcess, load.Process, report.LatestStartTime) is { } restart)
        {
            report.AddOutage(ServerOutage.Between(context.CurrentUtcDateTime, restart));
        }

        report.SawProcess(load.Process);
        return load;
    }

    /// <summary>
    /// After a level (or the verification): ends the run as <see cref="RunOutcomes.Aborted"/> when the target refused the
    /// credentials or the run's circuit opened (requests came back not sent, see <see cref="RunCircuit"/>).
    /// </summary>
    public static bool AbortAfter(IReadOnlyCollection<StepResult> steps, ReportBuilder report)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(report);
        var errors = StepAggregator.MergeErrors(steps.Select(s => s.ErrorsByOutcome));
        var refused = errors.Keys.FirstOrDefault(k => k is "HttpError:401" or "HttpError:403");
        if (refused is not null)
        {
            report.EndEarly(RunOutcomes.Aborted,
                $"the target refused the credentials ({refused.Replace("HttpError:", "HTTP ", StringComparison.Ordinal)}); not retried: check the target's API key or identity");
            return true;
        }

        if (!errors.TryGetValue(nameof(ProbeOutcome.NotSent), out var notSent))
        {
            return false;
        }

        var failures = string.Join(", ", errors.Where(e => e.Key != nameof(ProbeOutcome.NotSent)).Select(e => $"{e.Key}: {e.Value}"));
        report.EndEarly(RunOutcomes.Aborted, string.Create(CultureInfo.InvariantCulture,
            $"too many requests failed ({failures}), above the target's limits.abortFailedShare; {notSent} requests were not sent and the rest of the plan was skipped"));
        return true;
    }
}
