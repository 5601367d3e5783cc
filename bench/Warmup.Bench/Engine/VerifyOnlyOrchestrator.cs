using Microsoft.DurableTask;
using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Readiness;

namespace Warmup.Bench.Engine;

/// <summary>
/// The "no warm-up" case: the product's own WaitUntilReady and Verify activities, called through the same engine, with
/// an empty plan. The Verify input is built exactly as <see cref="WarmupOrchestrator"/> builds it, so the no-warm-up
/// verification sends the same lengths (an empty plan has no points to step aside from, like the presets' plans whose
/// points lie elsewhere) and is judged the same way.
/// </summary>
internal sealed class VerifyOnlyOrchestrator : TaskOrchestrator<VerifyOnlyRequest, VerifyOnlyResult>
{
    public const string Name = "BenchVerifyOnly";

    public override async Task<VerifyOnlyResult> RunAsync(TaskOrchestrationContext context, VerifyOnlyRequest input)
    {
        var readiness = await context.CallActivityAsync<ReadinessResult>(TaskNames.WaitUntilReady, input.Target, ActivityRetry.Options);
        if (!readiness.Ready)
        {
            return new VerifyOnlyResult(readiness, null);
        }

        var verification = await context.CallActivityAsync<VerificationResult>(
            TaskNames.Verify,
            new VerifyInput(
                input.Target, new WarmupPlan("none", []), readiness.MaxContext, input.Threshold, context.NewGuid().ToString("N"), input.CorrelationId,
                Mix: input.Mix),
            ActivityRetry.Options);
        return new VerifyOnlyResult(readiness, verification);
    }
}

/// <param name="Mix">What to verify (the user-like mix); null for the fixed verification.</param>
internal sealed record VerifyOnlyRequest(string Target, double Threshold, string CorrelationId, VerificationPlan? Mix = null);

internal sealed record VerifyOnlyResult(ReadinessResult Readiness, VerificationResult? Verification);
