namespace Warmup.Core.Orchestration;

/// <summary>
/// Names under which the orchestrator and activities are registered, in both hosts. They deliberately differ
/// from the class names: the DurableTask analyzer crashes (AD0001) when a class and its function share a name.
/// </summary>
public static class TaskNames
{
    /// <summary>The entry point both hosts start: a target's orchestration (<see cref="TargetWarmupOrchestrator"/>).</summary>
    public const string TargetWarmupOrchestration = "WarmupTarget";

    /// <summary>One run (<see cref="WarmupOrchestrator"/>), started by the target's orchestration as a sub-orchestration.</summary>
    public const string WarmupOrchestration = "Warmup";
    public const string WaitUntilReady = "WaitUntilReady";
    public const string ResolvePlan = "ResolvePlan";
    public const string RunStep = "RunStep";
    public const string Verify = "Verify";
    public const string Record = "Record";
    public const string ReadLoad = "ReadLoad";
    public const string PlanRound = "PlanRound";
    public const string SaveShapeMap = "SaveShapeMap";

    /// <summary>Instance id of a target's orchestration, the singleton per target; runs have their own ids (<see cref="RunIds"/>).</summary>
    public static string InstanceIdFor(string target) => $"warmup-{target}";
}
