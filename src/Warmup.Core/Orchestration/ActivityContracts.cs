using Warmup.Core.Analysis;
using Warmup.Core.Planning;

namespace Warmup.Core.Orchestration;

/// <summary>Input of <see cref="TaskNames.ResolvePlan"/>: turns a preset or explicit steps into concrete, limit-clipped steps.</summary>
public sealed record ResolvePlanInput(string Target, PlanSpec Plan, int? MaxContext);

/// <summary>Input of <see cref="TaskNames.RunStep"/>: one (prompt length, output length, concurrency) step.</summary>
/// <param name="Salt">Deterministic per-run salt from the orchestrator (context.NewGuid); each prompt adds its own index.</param>
/// <param name="TraceParent">W3C traceparent of the run, so step and request spans join the trigger's trace.</param>
public sealed record RunStepInput(
    string Target,
    PlanStep Step,
    string Phase,
    int StepIndex,
    string Salt,
    string CorrelationId,
    string? TraceParent = null);

/// <summary>Input of <see cref="TaskNames.Verify"/>: first-user-like probes across the user range, then a steady baseline.</summary>
/// <param name="Mix">What to verify (the adaptive loop's user-like mix for the round); null derives the fixed presets'
/// verification from <paramref name="Plan"/> (<see cref="VerificationPlan.For(WarmupPlan, int?, IReadOnlyList{string})"/>).</param>
public sealed record VerifyInput(
    string Target,
    WarmupPlan Plan,
    int? MaxContext,
    double Threshold,
    string Salt,
    string CorrelationId,
    string? TraceParent = null,
    VerificationPlan? Mix = null);

/// <summary>Output of <see cref="TaskNames.Verify"/>.</summary>
public sealed record VerificationResult(StepResult FirstUserLike, StepResult Steady, Verdict Verdict);

/// <summary>Custom status of a running warm-up: where it is, for GET /api/warmups/{target} and the CLI's progress.</summary>
public sealed record WarmupProgress(string Phase, int Step, int TotalSteps, string Description)
{
    /// <summary>Phase of a run that has ended and recorded its report.</summary>
    public const string DonePhase = "done";
}
