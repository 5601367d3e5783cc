using Microsoft.DurableTask;
using Warmup.Core.Adaptive;

namespace Warmup.Core.Orchestration;

public static class DurableTaskRegistryExtensions
{
    /// <summary>
    /// Registers the orchestrator and activities under <see cref="TaskNames"/> (the names both hosts use). The worker
    /// creates each from its service provider, so activities get their constructor dependencies from
    /// <see cref="ServiceCollectionExtensions.AddWarmupEngine"/>.
    /// </summary>
    public static DurableTaskRegistry AddWarmupTasks(this DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .AddOrchestrator<WarmupOrchestrator>(TaskNames.WarmupOrchestration)
            .AddActivity<WaitUntilReadyActivity>(TaskNames.WaitUntilReady)
            .AddActivity<ResolvePlanActivity>(TaskNames.ResolvePlan)
            .AddActivity<RunStepActivity>(TaskNames.RunStep)
            .AddActivity<VerifyActivity>(TaskNames.Verify)
            .AddActivity<RecordActivity>(TaskNames.Record)
            .AddActivity<PlanRoundActivity>(TaskNames.PlanRound)
            .AddActivity<SaveShapeMapActivity>(TaskNames.SaveShapeMap);
    }
}
