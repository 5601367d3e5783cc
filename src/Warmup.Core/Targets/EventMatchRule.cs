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
}
