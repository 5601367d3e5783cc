namespace Warmup.Functions.Events;

/// <summary>Why an event was acknowledged without starting anything (the "reason" of DeploymentEventIgnored).</summary>
public static class IgnoreReasons
{
    public const string UnsupportedType = "unsupported-event-type";
    public const string NoMatchingTarget = "no-matching-target";
    public const string UnknownTarget = "unknown-target";
    public const string MissingTargetName = "missing-target-name";
    public const string ReadOnlyAction = "read-only-action";
    public const string ValidationOnQueue = "subscription-validation";
    public const string EndpointWrite = "azureml-endpoint-write";
}
