using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Warmup.Core.Dialects;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;

namespace Warmup.Core.Orchestration;

/// <summary>
/// Completes the report with what only configuration knows (dialect, model, Azure ML deployment, what its HTTP errors mean) and hands it to every registered
/// <see cref="IWarmupResultSink"/> (telemetry always, a JSON file in the CLI). One failing sink does not keep the
/// report from the others; its failure is logged, and the report is still returned as the run's output.
/// </summary>
public sealed class RecordActivity(
    ITargetCatalog catalog,
    DialectRegistry dialects,
    IEnumerable<IWarmupResultSink> sinks,
    ILogger<RecordActivity> logger) : TaskActivity<WarmupReport, WarmupReport>
{
    public override async Task<WarmupReport> RunAsync(TaskActivityContext context, WarmupReport report)
    {
        var complete = catalog.TryGet(report.Target, out var target)
            ? report with
            {
                Dialect = dialects.Describe(target),
                Model = target.Model,
                Deployment = target.Auth.AzureMlDeployment,
                ErrorMeanings = dialects.TryGet(target.Dialect, out var dialect)
                    ? HttpErrorMeanings.Of(dialect, target, report.Totals.ErrorsByOutcome)
                    : report.ErrorMeanings,
            }
            : report;

        foreach (var sink in sinks)
        {
            try
            {
                await sink.RecordAsync(complete, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogError(e, "Result sink {Sink} could not record run {RunId} of {Target}", sink.GetType().Name, report.RunId, report.Target);
            }
        }

        logger.LogInformation("Run {RunId} of {Target} recorded: {Outcome}", complete.RunId, complete.Target, complete.Outcome);
        return complete;
    }
}
