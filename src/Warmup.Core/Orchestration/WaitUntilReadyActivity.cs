using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Warmup.Core.Dialects;
using Warmup.Core.Dialects.Auto;
using Warmup.Core.Readiness;
using Warmup.Core.Reliability;
using Warmup.Core.Targets;

namespace Warmup.Core.Orchestration;

/// <summary>
/// Waits until the target answers its readiness signal, up to the target's ready deadline. A target that never
/// becomes ready is a result (Ready = false), not a failure. The result carries the context window when the
/// server reports one. Dialect "auto" is resolved here (it waits while nothing listens yet), and a configured dialect
/// the server plainly does not speak ends the wait at once with what the server looks like. Before any warm-up traffic
/// it also checks the model and adapters against the server's list; a mismatch, like a permanent answer on the
/// readiness route, is <see cref="ReadinessResult.ConfigurationError"/>.
/// </summary>
public sealed class WaitUntilReadyActivity(
    ITargetCatalog catalog,
    DialectRegistry dialects,
    ReadinessGate gate,
    HttpClient http,
    TimeProvider time,
    ReadinessWatch watch,
    RunWaitCancellation cancellation,
    RunCircuit circuit,
    ILogger<WaitUntilReadyActivity> logger) : TaskActivity<string, ReadinessResult>
{
    /// <summary>The readiness result's error when <see cref="RunWaitCancellation"/> cut the wait short.</summary>
    public const string CancelledWhileWaiting = "the run was cancelled while waiting for readiness";

    public override async Task<ReadinessResult> RunAsync(TaskActivityContext context, string target)
    {
        var config = catalog.Require(target);
        var check = new DialectCheck(dialects, http, time);
        var started = time.GetTimestamp();
        // context may be null when a Functions shim calls RunAsync directly; nothing cancels there (see RunWaitCancellation).
        var cancelled = context?.InstanceId is { Length: > 0 } runId ? cancellation.TokenFor(runId) : CancellationToken.None;
        ReadinessResult result;
        IDialect? dialect;
        try
        {
            (dialect, var problem) = await check.ResolveAsync(config, cancelled).ConfigureAwait(false);
            if (dialect is null)
            {
                logger.LogWarning("Target {Target}: {Problem}", target, problem);
                return new ReadinessResult(false, time.GetElapsedTime(started).TotalMilliseconds, 1, problem);
            }

            var remaining = config.Limits.ReadyDeadline - time.GetElapsedTime(started);
            result = await gate.WaitAsync(
                    config, dialect, remaining > TimeSpan.FromSeconds(1) ? remaining : TimeSpan.FromSeconds(1), cancelled, watch.For(target))
                .ConfigureAwait(false);
            if (result.Ready && await ServedModelCheck.FindProblemAsync(http, config, dialect, cancelled).ConfigureAwait(false) is { } served)
            {
                logger.LogWarning("Target {Target} is misconfigured: {Problem}", target, served);
                result = result with { ConfigurationError = served };
            }
        }
        catch (OperationCanceledException) when (cancelled.IsCancellationRequested)
        {
            // The run was cancelled: its orchestration records a cancelled report; this result is not awaited any more.
            return new ReadinessResult(false, 0, 0, CancelledWhileWaiting);
        }

        if (result.Ready && result.Attempts > 1)
        {
            // A server that was away and answers again is judged afresh (a run resuming after an outage, see
            // OutageRecovery). One that answered at once was not away: its failures still count.
            circuit.Reset(target);
        }

        logger.LogInformation(
            "Target {Target} ready={Ready} after {TimeToReadyMs:F0} ms and {Attempts} attempts (dialect {Dialect}, max context {MaxContext})",
            target, result.Ready, result.TimeToReadyMs, result.Attempts, dialect?.Name, result.MaxContext);
        return result;
    }
}
