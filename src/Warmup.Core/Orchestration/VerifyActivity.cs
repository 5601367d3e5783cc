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
/// would arrive. Then the steady baseline: the same probes again, fresh salts each time (prefix caching must not
/// flatter it), <see cref="VerificationPlan.SteadyRepeats"/> rounds. The verdict compares them per length for the base
/// model and per adapter (<see cref="VerdictCalculator"/>); the worst comparison decides. <see cref="Verdict.ByLength"/>
/// holds the base model's lengths; an adapter that decides the verdict is named in its reason.
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
        var plan = VerificationPlan.For(input.Plan, input.MaxContext, target.Adapters);
        var pseudoStep = new PlanStep(plan.PromptLengths.DefaultIfEmpty(1).Max(), plan.OutputTokens, 1);

        var salt = SaltSource.ForAttempt(input.Salt);
        var first = new List<AddressedProbe>();
        StepResult firstSummary;
        using (var span = WarmupSpans.StartStep(input.TraceParent, input.Target, pseudoStep, Phases.Verify, -1, context?.InstanceId))
        {
            var started = time.GetTimestamp();
            foreach (var probe in Probes(plan))
            {
                first.Add(await SendOneAsync(target, dialect, input, plan, probe, $"{salt}-first-{probe.Key}").ConfigureAwait(false));
            }

            firstSummary = Summarize(pseudoStep, plan, Phases.Verify, first, time.GetElapsedTime(started).TotalMilliseconds);
            WarmupSpans.CompleteStep(span, firstSummary);
        }

        var steady = new List<AddressedProbe>();
        StepResult steadySummary;
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

            steadySummary = Summarize(pseudoStep, plan, Phases.Steady, steady, time.GetElapsedTime(started).TotalMilliseconds);
            WarmupSpans.CompleteStep(span, steadySummary);
        }

        var verdict = Judge(first, steady, input.Threshold);
        logger.LogInformation(
            "Verification of {Target}: warm={IsWarm}, ratio {Ratio:F2} (threshold {Threshold:F2}): {Reason}",
            input.Target, verdict.IsWarm, verdict.Ratio, verdict.Threshold, verdict.Reason);

        return new VerificationResult(firstSummary, steadySummary, verdict);
    }

    /// <summary>The base model at every length, then each adapter at its one length, in the order users are simulated.</summary>
    private static IEnumerable<ProbeShape> Probes(VerificationPlan plan)
        => plan.PromptLengths.Select(l => new ProbeShape(l, null))
            .Concat(plan.Adapters.Select(a => new ProbeShape(plan.AdapterPromptLength, a)));

    private async Task<AddressedProbe> SendOneAsync(
        WarmupTarget target, IDialect dialect, VerifyInput input, VerificationPlan plan, ProbeShape shape, string salt)
    {
        var request = await prompts.CreateAsync(target, dialect, shape.PromptTokens, plan.OutputTokens, salt, shape.Adapter, CancellationToken.None)
            .ConfigureAwait(false);
        var result = await probe.SendAsync(target, dialect, request, input.CorrelationId, CancellationToken.None).ConfigureAwait(false);
        // First-user-like and steady probes are both verification traffic on the metrics' phase dimension.
        WarmupMetrics.RecordProbe(target.Name, Phases.Verify, new PlanStep(shape.PromptTokens, plan.OutputTokens, 1, shape.Adapter), result);
        return new AddressedProbe(shape.Adapter, new LengthProbe(shape.PromptTokens, result));
    }

    /// <summary>
    /// One verdict per model the users can address (the base model over its lengths, each adapter at its length),
    /// combined: warm only when all are, and the worst ratio is the headline.
    /// </summary>
    private static Verdict Judge(List<AddressedProbe> first, List<AddressedProbe> steady, double threshold)
    {
        var baseModel = VerdictCalculator.Calculate(Of(first, null), Of(steady, null), threshold);
        var adapters = first.Select(p => p.Adapter).OfType<string>().Distinct(StringComparer.Ordinal)
            .Select(a => (Adapter: a, Verdict: VerdictCalculator.Calculate(Of(first, a), Of(steady, a), threshold)))
            .ToList();
        if (adapters.Count == 0)
        {
            return baseModel;
        }

        var all = adapters.Select(a => (Label: $"adapter '{a.Adapter}'", a.Verdict)).Prepend((Label: "base model", Verdict: baseModel)).ToList();
        var worst = all.MaxBy(v => v.Verdict.Ratio);
        var isWarm = all.TrueForAll(v => v.Verdict.IsWarm);
        var reason = isWarm
            ? $"{worst.Label}: {worst.Verdict.Reason}"
            : string.Join("; ", all.Where(v => !v.Verdict.IsWarm).Select(v => $"{v.Label}: {v.Verdict.Reason}"));
        return new Verdict(worst.Verdict.FirstTtftMs, worst.Verdict.SteadyTtftMs, worst.Verdict.Ratio, threshold, isWarm, reason)
        {
            ByLength = baseModel.ByLength,
            WorstPromptTokens = worst.Verdict.WorstPromptTokens,
        };
    }

    private static List<LengthProbe> Of(List<AddressedProbe> probes, string? adapter)
        => probes.Where(p => p.Adapter == adapter).Select(p => p.Probe).ToList();

    private static StepResult Summarize(PlanStep pseudoStep, VerificationPlan plan, string phase, List<AddressedProbe> probes, double wallMs)
        => StepAggregator.Summarize(pseudoStep, phase, probes.Select(p => p.Probe.Probe).ToList(), wallMs) with { PromptLengths = plan.PromptLengths };

    private sealed record ProbeShape(int PromptTokens, string? Adapter)
    {
        public string Key => Adapter is null ? $"{PromptTokens}" : $"{Adapter}-{PromptTokens}";
    }

    private sealed record AddressedProbe(string? Adapter, LengthProbe Probe);
}
