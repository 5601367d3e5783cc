using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Warmup.Core.Dialects;
using Warmup.Core.Readiness;
using Warmup.Core.Targets;

namespace Warmup.Core.Orchestration;

/// <summary>
/// Waits until the target answers its readiness signal, up to the target's ready deadline. A target that never
/// becomes ready is a result (Ready = false), not a failure. The result carries the context window when the
/// server reports one.
/// </summary>
public sealed class WaitUntilReadyActivity(
    ITargetCatalog catalog,
    DialectRegistry dialects,
    ReadinessGate gate,
    RunWaitCancellation cancellation,
    ILogger<WaitUntilReadyActivity> logger) : TaskActivity<string, ReadinessResult>
{
    public override async Task<ReadinessResult> RunAsync(TaskActivityContext context, string target)
    {
        var config = catalog.Require(target);
        var dialect = dialects.Get(config.Dialect);
        // context may be null when a Functions shim calls RunAsync directly; nothing cancels there (see RunWaitCancellation).
        var cancelled = context?.InstanceId is { Length: > 0 } runId ? cancellation.TokenFor(runId) : CancellationToken.None;
        ReadinessResult result;
        try
        {
            result = await gate.WaitAsync(config, dialect, config.Limits.ReadyDeadline, cancelled).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancelled.IsCancellationRequested)
        {
            // The run was cancelled: its orchestration records a cancelled report; this result is not awaited any more.
            return new ReadinessResult(false, 0, 0, "the run was cancelled while waiting for readiness");
        }

        logger.LogInformation(
            "Target {Target} ready={Ready} after {TimeToReadyMs:F0} ms and {Attempts} attempts (max context {MaxContext})",
            target, result.Ready, result.TimeToReadyMs, result.Attempts, result.MaxContext);
        return result;
    }
}
