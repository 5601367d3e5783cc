using Microsoft.DurableTask;
using Warmup.Core.Adaptive;
using Warmup.Core.Reliability;

namespace Warmup.Core.Orchestration;

public static class DurableTaskRegistryExtensions
{
    /// <summary>
    /// Registers the target orchestration (the entry point), the one-run orchestrator and the activities under <see cref="TaskNames"/> (the names both hosts use). The worker
    /// creates each from its service provider, so activities get their constructor dependencies from
    /// <see cref="ServiceCollectionExtensions.AddWarmupEngine"/>.
    /// </summary>
    public static DurableTaskRegistry AddWarmupTasks(this DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .AddOrchestrator<TargetWarmupOrchestrator>(TaskNames.TargetWarmupOrchestration)
            .AddOrchestrator<WarmupOrchestrator>(TaskNames.WarmupOrchestration)
            .AddActivity<WaitUntilReadyActivity>(TaskNames.WaitUntilReady)
            .AddActivity<ResolvePlanActivity>(TaskNames.ResolvePlan)
            .AddActivity<RunStepActivity>(TaskNames.RunStep)
            .AddActivity<VerifyActivity>(TaskNames.Verify)
            .AddActivity<RecordActivity>(TaskNames.Record)
            .AddActivity<ReadLoadActivity>(TaskNames.ReadLoad)
            .AddActivity<PlanRoundActivity>(TaskNames.PlanRound)
            .AddActivity<SaveShapeMapActivity>(TaskNames.SaveShapeMap);
    }
}
