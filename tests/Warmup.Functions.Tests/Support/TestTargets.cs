using Warmup.Core.Targets;

namespace Warmup.Functions.Tests.Support;

internal static class TestTargets
{
    /// <summary>Subject/resourceUri of the repository's ResourceWriteSuccess fixture (a storage account).</summary>
    public const string FixtureStorageAccountId =
        "/subscriptions/7d2c5e0a-3f61-4b8e-9a14-2c6f0e8b51d3/resourceGroups/rg-llm-serving/providers/Microsoft.Storage/storageAccounts/stllmweights";

    /// <summary>Topic of the repository's ModelDeployed fixture (an Azure ML workspace).</summary>
    public const string FixtureWorkspaceId =
        "/subscriptions/7d2c5e0a-3f61-4b8e-9a14-2c6f0e8b51d3/resourceGroups/rg-llm-serving/providers/Microsoft.MachineLearningServices/workspaces/mlw-llm";

    public static WarmupTarget Target(string name, params EventMatchRule[] rules) => new()
    {
        Name = name,
        BaseUrl = new Uri("http://127.0.0.1:9/"),
        Model = "test-model",
        EventRules = rules,
    };

    /// <summary>Targets whose rules match the repository's fixtures (and a bystander that matches nothing).</summary>
    public static TargetCatalog FixtureCatalog() => new(
    [
        Target("storage-bound", new EventMatchRule { ResourceIdPrefix = "/subscriptions/7d2c5e0a-3f61-4b8e-9a14-2c6f0e8b51d3/resourceGroups/rg-llm-serving/providers/Microsoft.Storage" }),
        Target("sklearn", new EventMatchRule { EventTypes = ["Microsoft.MachineLearningServices.ModelDeployed"], ResourceIdPattern = @"/workspaces/[^/]+/endpoints/sklearn-churn-service$" }),
        Target("vllm-image", new EventMatchRule { Repository = "serving/vllm-openai" }),
        LlamaProd(),
    ]);

    /// <summary>The same kinds of targets, with rules that match the published samples in shared/fixtures.</summary>
    public static TargetCatalog PublishedCatalog() => new(
    [
        Target("storage-bound", new EventMatchRule { ResourceIdPrefix = "/subscriptions/{subscription-id}/resourceGroups/{resource-group}/providers/Microsoft.Storage" }),
        Target("sklearn", new EventMatchRule { EventTypes = ["Microsoft.MachineLearningServices.ModelDeployed"], ResourceIdPattern = @"/workspaces/[^/]+/endpoints/my-sklearn-service$" }),
        Target("vllm-image", new EventMatchRule { Repository = "samples/nginx" }),
        LlamaProd(),
    ]);

    private static WarmupTarget LlamaProd() =>
        Target("llama-prod", new EventMatchRule { ResourceIdPrefix = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-llm/providers/Microsoft.MachineLearningServices/workspaces/ws/onlineEndpoints/llama" });
}
