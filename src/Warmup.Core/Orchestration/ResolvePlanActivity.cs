using Microsoft.DurableTask;
using Warmup.Core.Dialects;
using Warmup.Core.Planning;
using Warmup.Core.Targets;

namespace Warmup.Core.Orchestration;

/// <summary>
/// Turns the requested preset or steps into the concrete plan for this target (validated, clipped to its limits). When
/// the dialect knows the server's real concurrency (llama.cpp slots, an Azure ML deployment's settings), the limit is
/// lowered to it and the plan's notes say why: requests beyond it would queue and their wait would read as cold.
/// </summary>
public sealed class ResolvePlanActivity(ITargetCatalog catalog, DialectRegistry dialects, HttpClient http) : TaskActivity<ResolvePlanInput, WarmupPlan>
{
    public override async Task<WarmupPlan> RunAsync(TaskActivityContext context, ResolvePlanInput input)
    {
        var target = catalog.Require(input.Target);
        var dialect = await dialects.ResolveAsync(target, http, CancellationToken.None).ConfigureAwait(false);
        (target, var note) = await ServerCapacity.ApplyAsync(dialect, http, target, CancellationToken.None).ConfigureAwait(false);
        var plan = PlanPresets.Resolve(input.Plan, target, input.MaxContext);
        var verification = VerificationPlan.For(plan, input.MaxContext, target.Adapters).TokenCost;
        return plan with
        {
            Notes = note is null ? plan.Notes : [.. plan.Notes, note],
            StepTokenBudget = target.Limits.TokensPerRun(input.MaxContext) - verification,
        };
    }
}
