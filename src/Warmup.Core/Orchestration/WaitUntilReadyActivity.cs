using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Warmup.Core.Dialects;
using Warmup.Core.Readiness;
using Warmup.Core.Targets;

namespace Warmup.Core.Orchestration;

/// <summary>
/// Waits until the target answers its readiness signal, up to the target's ready deadline. A target that never
/// becomes ready is a result (Ready = false), not a failure. The result carries the context window when the
/// server reports one. Before any warm-up traffic it also checks the model and adapters against the server's list;
/// a mismatch, like a permanent answer on the readiness route, is <see cref="ReadinessResult.ConfigurationError"/>.
/// </summary>
public sealed class WaitUntilReadyActivity(
    ITargetCatalog catalog,
    DialectRegistry dialects,
    ReadinessGate gate,
    HttpClient http,
    ReadinessWatch watch,
    ILogger<WaitUntilReadyActivity> logger) : TaskActivity<string, ReadinessResult>
{
    public override async Task<ReadinessResult> RunAsync(TaskActivityContext context, string target)
    {
        var config = catalog.Require(target);
        var dialect = dialects.Get(config.Dialect);
        var result = await gate.WaitAsync(config, dialect, config.Limits.ReadyDeadline, CancellationToken.None, watch.For(target)).ConfigureAwait(false);
        if (result.Ready && await ServedModelCheck.FindProblemAsync(http, config, dialect, CancellationToken.None).ConfigureAwait(false) is { } problem)
        {
            logger.LogWarning("Target {Target} is misconfigured: {Problem}", target, problem);
            result = result with { ConfigurationError = problem };
        }

        logger.LogInformation(
            "Target {Target} ready={Ready} after {TimeToReadyMs:F0} ms and {Attempts} attempts (max context {MaxContext})",
            target, result.Ready, result.TimeToReadyMs, result.Attempts, result.MaxContext);
        return result;
    }
}
