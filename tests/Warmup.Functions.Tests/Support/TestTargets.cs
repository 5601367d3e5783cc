using Warmup.Core.Targets;

namespace Warmup.Functions.Tests.Support;

internal static class TestTargets
{
    /// <summary>Subject/resourceUri of the published ResourceWriteSuccess fixture (a storage account).</summary>
    public const string FixtureStorageAccountId =
        "/subscriptions/{subscription-id}/resourcegroups/{resource-group}/providers/Microsoft.Storage/storageAccounts/{storage-name}";

    /// <summary>Topic of the published ModelDeployed fixture (an Azure ML workspace).</summary>
    public const string FixtureWorkspaceId =
        "/subscriptions/{subscription-id}/resourceGroups/{resource-group-name}/providers/Microsoft.MachineLearningServices/workspaces/{workspace-name}";

    public static WarmupTarget Target(string name, params EventMatchRule[] rules) => new()
    {
        Name = name,
        BaseUrl = new Uri("http://127.0.0.1:9/"),
        Model = "test-model",
        EventRules = rules,
    };

    /// <summary>Targets whose rules match the published fixtures (and a bystander that matches nothing).</summary>
    public static TargetCatalog FixtureCatalog() => new(
    [
        Target("storage-bound", new EventMatchRule { ResourceIdPrefix = "/subscriptions/{subscription-id}/resourceGroups/{resource-group}/providers/Microsoft.Storage" }),
        Target("sklearn", new EventMatchRule { EventTypes = ["Microsoft.MachineLearningServices.ModelDeployed"], ResourceIdPattern = @"/workspaces/[^/]+/endpoints/my-sklearn-service$" }),
        Target("nginx", new EventMatchRule { Repository = "samples/nginx" }),
        Target("llama-prod", new EventMatchRule { ResourceIdPrefix = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-llm/providers/Microsoft.MachineLearningServices/workspaces/ws/onlineEndpoints/llama" }),
    ]);
}
