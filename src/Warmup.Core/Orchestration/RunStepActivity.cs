using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Warmup.Core.Adaptive;
using Warmup.Core.Analysis;
using Warmup.Core.Dialects;
using Warmup.Core.Probing;
using Warmup.Core.Prompts;
using Warmup.Core.Targets;
using Warmup.Core.Telemetry;

namespace Warmup.Core.Orchestration;

/// <summary>
/// Runs one plan step: <c>Concurrency</c> requests with fresh salted prompts, released together, and returns their
/// summary (never raw samples). A staircase step gives each request its own exact output length (<see cref="StaircaseBurst"/>). Failed probes are counted in the result; only infrastructure faults throw.
/// </summary>
public sealed class RunStepActivity(
    ITargetCatalog catalog,
    DialectRegistry dialects,
    HttpClient http,
    PromptFactory prompts,
    StreamingProbe probe,
    TimeProvider time,
    ILogger<RunStepActivity> logger) : TaskActivity<RunStepInput, StepResult>
{
    public override async Task<StepResult> RunAsync(TaskActivityContext context, RunStepInput input)
    {
        var target = catalog.Require(input.Target);
        var dialect = await dialects.ResolveAsync(target, http, CancellationToken.None).ConfigureAwait(false);
        var step = input.Step;
        // context may be null when a Functions shim calls RunAsync directly.
        using var span = WarmupSpans.StartStep(input.TraceParent, input.Target, step, input.Phase, input.StepIndex, context?.InstanceId);

        var salt = SaltSource.ForAttempt(input.Salt);
        var requests = new List<GenerationRequest>(step.Concurrency);
        for (var i = 0; i < step.Concurrency; i++)
        {
            requests.Add(await prompts.CreateAsync(
                target, dialect, step.PromptTokens, StaircaseBurst.OutputTokensFor(step, i), SaltSource.ForRequest(salt, input.StepIndex, i), step.Adapter,
                CancellationToken.None).ConfigureAwait(false));
        }

        var startedAt = time.GetUtcNow();
        var started = time.GetTimestamp();
        var results = await SimultaneousRelease.SendAsync(probe, target, dialect, requests, input.CorrelationId, CancellationToken.None)
            .ConfigureAwait(false);
        foreach (var result in results)
        {
            WarmupMetrics.RecordProbe(target.Name, input.Phase, step, result);
        }

        var summary = StepAggregator.Summarize(step, input.Phase, results, time.GetElapsedTime(started).TotalMilliseconds) with
        {
            // For the warm-up timeline; a handful of numbers per step (one per request), rounded to 0.1 ms.
            StartedAt = startedAt,
            RequestTtftMs = results.Where(r => r.TtftMs.HasValue).Select(r => Math.Round(r.TtftMs!.Value, 1)).ToList(),
            StalledBatchSizes = step.Staircase ? StaircaseStalls.BatchSizes(results) : null,
        };

        WarmupSpans.CompleteStep(span, summary);
        logger.LogInformation(
            "Step {StepIndex} of {Target}: {Succeeded}/{Requests} ok, TTFT p50 {TtftP50:F1} ms, prompt {PromptTokens} tokens, concurrency {Concurrency}",
            input.StepIndex + 1, input.Target, summary.Succeeded, summary.Requests, summary.TtftMs.P50, step.PromptTokens, step.Concurrency);
        return summary;
    }
}
