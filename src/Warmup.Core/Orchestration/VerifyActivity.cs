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
/// <see cref="VerificationPlan"/>, then one per LoRA adapter the target serves, one at a time, as the next real users
/// would arrive, then one burst per verified concurrency (<see cref="VerificationPlan.Concurrencies"/>, requests released
/// together). Then the steady baseline: the same probes and bursts again, fresh salts each time (prefix caching must not
/// flatter it), <see cref="VerificationPlan.SteadyRepeats"/> rounds; the user-like mix takes each shape's steady samples
/// right after its first one (<see cref="VerificationPlan.ShapeByShape"/>). The verdict compares every shape (length, adapter,
/// concurrency) with its steady samples and the headline over the lengths (<see cref="VerdictCalculator"/>).
/// </summary>
public sealed class VerifyActivity(
    ITargetCatalog catalog,
    DialectRegistry dialects,
    HttpClient http,
    PromptFactory prompts,
    StreamingProbe probe,
    TimeProvider time,
    ILogger<VerifyActivity> logger) : TaskActivity<VerifyInput, VerificationResult>
{
    public override async Task<VerificationResult> RunAsync(TaskActivityContext context, VerifyInput input)
    {
        var target = catalog.Require(input.Target);
        var dialect = await dialects.ResolveAsync(target, http, CancellationToken.None).ConfigureAwait(false);
        var plan = input.Mix ?? VerificationPlan.For(input.Plan, input.MaxContext, target.Adapters);
        var pseudoStep = new PlanStep(plan.PromptLengths.DefaultIfEmpty(1).Max(), plan.OutputTokens, 1);

        var salt = SaltSource.ForAttempt(input.Salt);
        var first = new List<LengthProbe>();
        var firstBursts = new List<BurstProbe>();
        var steady = new List<LengthProbe>();
        var steadyBursts = new List<BurstProbe>();
        StepResult firstSummary;
        StepResult steadySummary;
        if (plan.ShapeByShape)
        {
            // Each shape's steady samples right after its first one: a stretch of machine contention then slows both
            // alike instead of only the first-user-like pass (what a busy machine did to 8 of 20 verifications).
            using var firstSpan = WarmupSpans.StartStep(input.TraceParent, input.Target, pseudoStep, Phases.Verify, -1, context?.InstanceId);
            using var steadySpan = WarmupSpans.StartStep(input.TraceParent, input.Target, pseudoStep, Phases.Steady, -1, context?.InstanceId);
            var started = time.GetTimestamp();
            foreach (var probe in Probes(plan))
            {
                first.Add(await SendOneAsync(target, dialect, input, plan, probe, $"{salt}-first-{probe.Key}").ConfigureAwait(false));
                for (var round = 0; round < plan.SteadyRepeatsFor(probe.PromptTokens, probe.Adapter); round++)
                {
                    steady.Add(await SendOneAsync(target, dialect, input, plan, probe, $"{salt}-steady{round}-{probe.Key}").ConfigureAwait(false));
                }
            }

            foreach (var concurrency in plan.Concurrencies)
            {
                firstBursts.Add(await SendBurstAsync(target, dialect, input, plan, concurrency, $"{salt}-first-burst{concurrency}").ConfigureAwait(false));
                for (var round = 0; round < plan.SteadyRepeats; round++)
                {
                    steadyBursts.Add(await SendBurstAsync(target, dialect, input, plan, concurrency, $"{salt}-steady{round}-burst{concurrency}").ConfigureAwait(false));
                }
            }

            var wallMs = time.GetElapsedTime(started).TotalMilliseconds;
            firstSummary = Summarize(pseudoStep, plan, Phases.Verify, first, firstBursts, wallMs);
            steadySummary = Summarize(pseudoStep, plan, Phases.Steady, steady, steadyBursts, wallMs);
            WarmupSpans.CompleteStep(firstSpan, firstSummary);
            WarmupSpans.CompleteStep(steadySpan, steadySummary);
        }
        else
        {
            using (var span = WarmupSpans.StartStep(input.TraceParent, input.Target, pseudoStep, Phases.Verify, -1, context?.InstanceId))
            {
                var started = time.GetTimestamp();
                foreach (var probe in Probes(plan))
                {
                    first.Add(await SendOneAsync(target, dialect, input, plan, probe, $"{salt}-first-{probe.Key}").ConfigureAwait(false));
                }

                firstSummary = Summarize(pseudoStep, plan, Phases.Verify, first, firstBursts, time.GetElapsedTime(started).TotalMilliseconds);
                WarmupSpans.CompleteStep(span, firstSummary);
            }

            using (var span = WarmupSpans.StartStep(input.TraceParent, input.Target, pseudoStep, Phases.Steady, -1, context?.InstanceId))
            {
                var started = time.GetTimestamp();
                for (var round = 0; round < plan.SteadyRepeats; round++)
                {
                    foreach (var probe in Probes(plan))
                    {
                        steady.Add(await SendOneAsync(target, dialect, input, plan, probe, $"{salt}-steady{round}-{probe.Key}").ConfigureAwait(false));
                    }
                }

                steadySummary = Summarize(pseudoStep, plan, Phases.Steady, steady, steadyBursts, time.GetElapsedTime(started).TotalMilliseconds);
                WarmupSpans.CompleteStep(span, steadySummary);
            }
        }

        var verdict = VerdictCalculator.Calculate(first, steady, firstBursts, steadyBursts, input.Threshold);
        logger.LogInformation(
            "Verification of {Target}: warm={IsWarm}, ratio {Ratio:F2} (threshold {Threshold:F2}): {Reason}",
            input.Target, verdict.IsWarm, verdict.Ratio, verdict.Threshold, verdict.Reason);

        return new VerificationResult(firstSummary, steadySummary, verdict);
    }

    /// <summary>The base model at every length, then each adapter at its one length, in the order users are simulated.</summary>
    private static IEnumerable<ProbeShape> Probes(VerificationPlan plan)
        => plan.PromptLengths.Select(l => new ProbeShape(l, null))
            .Concat(plan.Adapters.Select(a => new ProbeShape(plan.AdapterPromptLength, a)));

    private async Task<LengthProbe> SendOneAsync(
        WarmupTarget target, IDialect dialect, VerifyInput input, VerificationPlan plan, ProbeShape shape, string salt)
    {
        var request = await prompts.CreateAsync(target, dialect, shape.PromptTokens, plan.OutputTokens, salt, shape.Adapter, CancellationToken.None)
            .ConfigureAwait(false);
        var result = await probe.SendAsync(target, dialect, request, input.CorrelationId, CancellationToken.None).ConfigureAwait(false);
        // First-user-like and steady probes are both verification traffic on the metrics' phase dimension.
        WarmupMetrics.RecordProbe(target.Name, Phases.Verify, new PlanStep(shape.PromptTokens, plan.OutputTokens, 1, shape.Adapter), result);
        return new LengthProbe(shape.PromptTokens, result, shape.Adapter);
    }

    /// <summary>A burst of <paramref name="concurrency"/> short prompts, built first and then released together.</summary>
    private async Task<BurstProbe> SendBurstAsync(
        WarmupTarget target, IDialect dialect, VerifyInput input, VerificationPlan plan, int concurrency, string salt)
    {
        var requests = new List<GenerationRequest>(concurrency);
        for (var i = 0; i < concurrency; i++)
        {
            requests.Add(await prompts.CreateAsync(
                target, dialect, VerificationPlan.BurstPromptTokens, plan.OutputTokens, $"{salt}-{i}", null, CancellationToken.None).ConfigureAwait(false));
        }

        var results = await SimultaneousRelease.SendAsync(probe, target, dialect, requests, input.CorrelationId, CancellationToken.None).ConfigureAwait(false);
        var step = new PlanStep(VerificationPlan.BurstPromptTokens, plan.OutputTokens, concurrency);
        foreach (var result in results)
        {
            WarmupMetrics.RecordProbe(target.Name, Phases.Verify, step, result);
        }

        return new BurstProbe(concurrency, results);
    }

    private static StepResult Summarize(
        PlanStep pseudoStep, VerificationPlan plan, string phase, List<LengthProbe> probes, List<BurstProbe> bursts, double wallMs)
        => StepAggregator.Summarize(pseudoStep, phase, probes.Select(p => p.Probe).Concat(bursts.SelectMany(b => b.Probes)).ToList(), wallMs)
            with { PromptLengths = plan.PromptLengths, Concurrencies = plan.Concurrencies.Count == 0 ? null : plan.Concurrencies };

    private sealed record ProbeShape(int PromptTokens, string? Adapter)
    {
        public string Key => Adapter is null ? $"{PromptTokens}" : $"{Adapter}-{PromptTokens}";
    }
}
