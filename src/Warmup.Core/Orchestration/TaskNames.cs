namespace Warmup.Core.Orchestration;

/// <summary>
/// Names under which the orchestrator and activities are registered, in both hosts. They deliberately differ
/// from the class names: the DurableTask analyzer crashes (AD0001) when a class and its function share a name.
/// </summary>
public static class TaskNames
{
    public const string WarmupOrchestration = "Warmup";
    public const string WaitUntilReady = "WaitUntilReady";
    public const string ResolvePlan = "ResolvePlan";
    public const string RunStep = "RunStep";
    public const string Verify = "Verify";
    public const string Record = "Record";
    public const string PlanRound = "PlanRound";
    public const string SaveShapeMap = "SaveShapeMap";

    /// <summary>Singleton instance id per target.</summary>
    public static string InstanceIdFor(string target) => $"warmup-{target}";
}
