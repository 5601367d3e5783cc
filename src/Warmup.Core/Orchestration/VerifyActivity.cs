using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Warmup.Core.Analysis;
using Warmup.Core.Dialects;
using Warmup.Core.Planning;
using Warmup.Core.Probing;
using Warmup.Core.Prompts;
using Warmup.Core.Targets;
using Warmup.Core.Telemetry;

namespace Warmup.Core.Orchestration;

/// <summary>
/// Proves (or disproves) warmth. First-user-like probes: one fresh salted prompt per length of the
/// <see cref="VerificationPlan"/>, one at a time, as the next real user would arrive. Then the steady baseline: the same
/// lengths again, fresh salts each time (prefix caching must not flatter it), <see cref="VerificationPlan.SteadyRepeats"/>
/// rounds. The verdict compares them per length (<see cref="VerdictCalculator"/>).
/// </summary>
public sealed class VerifyActivity(
    ITargetCatalog catalog,
    DialectRegistry dialects,
    PromptFactory prompts,
    StreamingProbe probe,
    TimeProvider time,
    ILogger<VerifyActivity> logger) : TaskActivity<VerifyInput, VerificationResult>
{
    public override async Task<VerificationResult> RunAsync(TaskActivityContext context, VerifyInput input)
    {
        var target = catalog.Require(input.Target);
        var dialect = dialects.Get(target.Dialect);
        var plan = VerificationPlan.For(input.Plan, input.MaxContext);
        var pseudoStep = new PlanStep(plan.PromptLengths.DefaultIfEmpty(1).Max(), plan.OutputTokens, 1);

        var first = new List<LengthProbe>();
        double firstWallMs;
        using (var span = WarmupSpans.StartStep(input.TraceParent, input.Target, pseudoStep, Phases.Verify, -1, context?.InstanceId))
        {
            var started = time.GetTimestamp();
            foreach (var length in plan.PromptLengths)
            {
                first.Add(await SendOneAsync(target, dialect, input, plan, length, $"{input.Salt}-first-{length}").ConfigureAwait(false));
            }

            firstWallMs = time.GetElapsedTime(started).TotalMilliseconds;
            WarmupSpans.CompleteStep(span, Summarize(pseudoStep, plan, Phases.Verify, first, firstWallMs));
        }

        var steady = new List<LengthProbe>();
        double steadyWallMs;
        using (var span = WarmupSpans.StartStep(input.TraceParent, input.Target, pseudoStep, Phases.Steady, -1, context?.InstanceId))
        {
            var started = time.GetTimestamp();
            for (var round = 0; round < plan.SteadyRepeats; round++)
            {
                foreach (var length in plan.PromptLengths)
                {
                    steady.Add(await SendOneAsync(target, dialect, input, plan, length, $"{input.Salt}-steady{round}-{length}").ConfigureAwait(false));
                }
            }

            steadyWallMs = time.GetElapsedTime(started).TotalMilliseconds;
            WarmupSpans.CompleteStep(span, Summarize(pseudoStep, plan, Phases.Steady, steady, steadyWallMs));
        }

        var verdict = VerdictCalculator.Calculate(first, steady, input.Threshold);
        logger.LogInformation(
            "Verification of {Target}: warm={IsWarm}, ratio {Ratio:F2} (threshold {Threshold:F2}): {Reason}",
            input.Target, verdict.IsWarm, verdict.Ratio, verdict.Threshold, verdict.Reason);

        return new VerificationResult(
            Summarize(pseudoStep, plan, Phases.Verify, first, firstWallMs),
            Summarize(pseudoStep, plan, Phases.Steady, steady, steadyWallMs),
            verdict);
    }

    private async Task<LengthProbe> SendOneAsync(
        WarmupTarget target, IDialect dialect, VerifyInput input, VerificationPlan plan, int length, string salt)
    {
        var request = await prompts.CreateAsync(target, dialect, length, plan.OutputTokens, salt, adapter: null, CancellationToken.None)
            .ConfigureAwait(false);
        var result = await probe.SendAsync(target, dialect, request, input.CorrelationId, CancellationToken.None).ConfigureAwait(false);
        // First-user-like and steady probes are both verification traffic on the metrics' phase dimension.
        WarmupMetrics.RecordProbe(target.Name, Phases.Verify, new PlanStep(length, plan.OutputTokens, 1), result);
        return new LengthProbe(length, result);
    }

    private static StepResult Summarize(PlanStep pseudoStep, VerificationPlan plan, string phase, List<LengthProbe> probes, double wallMs)
        => StepAggregator.Summarize(pseudoStep, phase, probes.Select(p => p.Probe).ToList(), wallMs) with { PromptLengths = plan.PromptLengths };
}
