using Microsoft.DurableTask;
using Warmup.Core.Planning;
using Warmup.Core.Targets;

namespace Warmup.Core.Orchestration;

/// <summary>Turns the requested preset or steps into the concrete plan for this target (validated, clipped to its limits).</summary>
public sealed class ResolvePlanActivity(ITargetCatalog catalog) : TaskActivity<ResolvePlanInput, WarmupPlan>
{
    public override Task<WarmupPlan> RunAsync(TaskActivityContext context, ResolvePlanInput input)
    {
        var target = catalog.Require(input.Target);
        return Task.FromResult(PlanPresets.Resolve(input.Plan, target, input.MaxContext));
    }
}
