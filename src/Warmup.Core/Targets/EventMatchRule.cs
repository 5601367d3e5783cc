namespace Warmup.Core.Targets;

/// <summary>
/// Says which deployment events mean "this target has new replicas". All fields that are set must match.
/// </summary>
public sealed record EventMatchRule
{
    /// <summary>Event types to accept (e.g. Microsoft.Resources.ResourceWriteSuccess). Empty means any deployment-like type.</summary>
    public IReadOnlyList<string> EventTypes { get; init; } = [];

    /// <summary>Case-insensitive prefix of the ARM resource id / subject (e.g. /subscriptions/.../onlineEndpoints/my-ep).</summary>
    public string? ResourceIdPrefix { get; init; }

    /// <summary>Regular expression over the ARM resource id / subject.</summary>
    public string? ResourceIdPattern { get; init; }

    /// <summary>ACR: repository name that must match the pushed image.</summary>
    public string? Repository { get; init; }

    /// <summary>
    /// Documents the blue/green pattern (Azure ML): the deployment is created at 0 % traffic, Warmup warms it through the
    /// azureml-model-deployment header, and the pipeline shifts traffic only once the run is WARM (docs/azureml-blue-green.md).
    /// A write to the endpoint itself (the traffic shift) never starts a warm-up; only deployment writes do.
    /// </summary>
    public bool WarmBeforeTraffic { get; init; }
}
