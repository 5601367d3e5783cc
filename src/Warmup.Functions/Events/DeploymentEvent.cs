namespace Warmup.Functions.Events;

/// <summary>
/// One event from Event Grid (either schema), reduced to what matching needs. Nothing here is ever used as an address:
/// targets are looked up by configured rules or by configured name only.
/// </summary>
/// <param name="Id">Event id: the dedupe key (Event Grid delivers at least once).</param>
/// <param name="ResourceId">ARM resource id the event is about (data.resourceUri, topic/subject, or the registry id for ACR).</param>
/// <param name="OperationName">ARM operation (data.operationName), when the event has one.</param>
/// <param name="Repository">ACR repository of a pushed image.</param>
/// <param name="NamedTarget">The configured target a <see cref="DeploymentEventTypes.WarmupDeploymentCompleted"/> event names.</param>
/// <param name="ValidationCode">Set for Event Grid's SubscriptionValidation handshake event.</param>
public sealed record DeploymentEvent(
    string Id,
    string Type,
    string Schema,
    string? Subject = null,
    string? Source = null,
    DateTimeOffset? Time = null,
    string? ResourceId = null,
    string? OperationName = null,
    string? Repository = null,
    string? NamedTarget = null,
    string? ValidationCode = null);

public static class DeploymentEventTypes
{
    public const string ResourceWriteSuccess = "Microsoft.Resources.ResourceWriteSuccess";
    public const string ResourceActionSuccess = "Microsoft.Resources.ResourceActionSuccess";
    public const string ModelDeployed = "Microsoft.MachineLearningServices.ModelDeployed";
    public const string ImagePushed = "Microsoft.ContainerRegistry.ImagePushed";
    public const string SubscriptionValidation = "Microsoft.EventGrid.SubscriptionValidationEvent";

    /// <summary>Custom CloudEvent from CI/CD: data is <c>{"target":"name"}</c>, a configured target name.</summary>
    public const string WarmupDeploymentCompleted = "warmup.deployment.completed";

    /// <summary>The types that can start a warm-up through event rules.</summary>
    public static IReadOnlyList<string> RuleMatched { get; } = [ResourceWriteSuccess, ResourceActionSuccess, ModelDeployed, ImagePushed];
}

public static class EventSchemas
{
    public const string EventGrid = "EventGrid";
    public const string CloudEvents = "CloudEvents";
}
