using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Entities;
using Microsoft.Extensions.DependencyInjection;
using Warmup.Core.Adaptive;
using Warmup.Core.Analysis;
using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Readiness;
using Warmup.Core.Reliability;
using Warmup.Core.Reporting;
using Warmup.Core.ShapeMaps;
using Warmup.Functions.Idle;
using Warmup.Functions.ShapeMaps;

namespace Warmup.Functions.Orchestration;

/// <summary>
/// [Function] shims over the engine's class-based orchestrators and activities, the same ones the CLI registers with
/// <see cref="DurableTaskRegistryExtensions.AddWarmupTasks"/> (the Durable source generator is not
/// available, so these are written by hand). Function names come from <see cref="TaskNames"/> and differ from the class
/// names (DurableTask analyzer AD0001). Activities are resolved from DI per invocation.
/// </summary>
public static class WarmupFunctions
{
    /// <summary>The entry point the triggers start: one instance per target (warmup-{target}), each warm-up a sub-orchestration.</summary>
    [Function(TaskNames.TargetWarmupOrchestration)]
    public static Task<WarmupReport> WarmupTarget([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new TargetWarmupOrchestrator().RunAsync(context, context.GetInput<WarmupRequest>()!);

    /// <summary>One run; its instance id is the run id.</summary>
    [Function(TaskNames.WarmupOrchestration)]
    public static Task<WarmupReport> Warmup([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new WarmupOrchestrator().RunAsync(context, context.GetInput<WarmupRequest>()!);

    [Function(TaskNames.WaitUntilReady)]
    public static Task<ReadinessResult> WaitUntilReady([ActivityTrigger] string target, FunctionContext context) =>
        Resolve<WaitUntilReadyActivity>(context).RunAsync(FunctionActivityContext.For(TaskNames.WaitUntilReady, context), target);

    [Function(TaskNames.ResolvePlan)]
    public static Task<WarmupPlan> ResolvePlan([ActivityTrigger] ResolvePlanInput input, FunctionContext context) =>
        Resolve<ResolvePlanActivity>(context).RunAsync(FunctionActivityContext.For(TaskNames.ResolvePlan, context), input);

    [Function(TaskNames.RunStep)]
    public static Task<StepResult> RunStep([ActivityTrigger] RunStepInput input, FunctionContext context) =>
        Resolve<RunStepActivity>(context).RunAsync(FunctionActivityContext.For(TaskNames.RunStep, context), input);

    [Function(TaskNames.Verify)]
    public static Task<VerificationResult> Verify([ActivityTrigger] VerifyInput input, FunctionContext context) =>
        Resolve<VerifyActivity>(context).RunAsync(FunctionActivityContext.For(TaskNames.Verify, context), input);

    [Function(TaskNames.ReadLoad)]
    public static Task<TargetLoad> ReadLoad([ActivityTrigger] string target, FunctionContext context) =>
        Resolve<ReadLoadActivity>(context).RunAsync(FunctionActivityContext.For(TaskNames.ReadLoad, context), target);

    [Function(TaskNames.Record)]
    public static Task<WarmupReport> Record([ActivityTrigger] WarmupReport report, FunctionContext context) =>
        Resolve<RecordActivity>(context).RunAsync(FunctionActivityContext.For(TaskNames.Record, context), report);

    [Function(TaskNames.PlanRound)]
    public static Task<RoundPlan> PlanRound(
        [ActivityTrigger] PlanRoundInput input, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        WithPlanningStores(context, client).RunAsync(FunctionActivityContext.For(TaskNames.PlanRound, context), input);

    [Function(TaskNames.SaveShapeMap)]
    public static Task<ShapeMap> SaveShapeMap(
        [ActivityTrigger] SaveShapeMapInput input, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        WithShapeMaps<SaveShapeMapActivity>(context, client).RunAsync(FunctionActivityContext.For(TaskNames.SaveShapeMap, context), input);

    [Function(ShapeMapEntity.EntityName)]
    public static Task ShapeMap([EntityTrigger] TaskEntityDispatcher dispatcher) => dispatcher.DispatchAsync<ShapeMapEntity>();

    [Function(Traffic.ObservedTrafficEntity.EntityName)]
    public static Task ObservedTraffic([EntityTrigger] TaskEntityDispatcher dispatcher) => dispatcher.DispatchAsync<Traffic.ObservedTrafficEntity>();

    [Function(IdleTrackerEntity.EntityName)]
    public static Task IdleTracker([EntityTrigger] TaskEntityDispatcher dispatcher) => dispatcher.DispatchAsync<IdleTrackerEntity>();

    private static T Resolve<T>(FunctionContext context) where T : class =>
        ActivatorUtilities.GetServiceOrCreateInstance<T>(context.InstanceServices);

    // The shape maps live in entities, reached through this invocation's durable client binding.
    private static T WithShapeMaps<T>(FunctionContext context, DurableTaskClient client) where T : class =>
        ActivatorUtilities.CreateInstance<T>(context.InstanceServices, (IShapeMapStore)new EntityShapeMapStore(client));

    // Round planning also reads what users sent the target (the idle timer's traffic entity).
    private static PlanRoundActivity WithPlanningStores(FunctionContext context, DurableTaskClient client) =>
        ActivatorUtilities.CreateInstance<PlanRoundActivity>(
            context.InstanceServices, (IShapeMapStore)new EntityShapeMapStore(client), (Core.Traffic.IObservedTrafficStore)new Traffic.EntityObservedTrafficStore(client));
}
