using System.Text.Json;
using System.Text.Json.Nodes;

namespace Warmup.Infra.Tests.Bicep;

/// <summary>
/// Compiles and evaluates infra/ once per test run: <c>bicep build</c> and <c>bicep lint</c> of main.bicep
/// (both follow every module), <c>bicep build-params</c> of main.bicepparam, and <c>bicep snapshot</c>,
/// which evaluates the whole deployment offline (modules, loops, conditions) into predicted resources.
/// Works on a copy of infra/ so nothing is written into the source tree.
/// </summary>
public sealed class InfraBuild : IDisposable
{
    public const string SubscriptionId = "00000000-0000-0000-0000-00000000a001";
    public const string TenantId = "00000000-0000-0000-0000-00000000a002";
    public const string OtherSubscriptionId = "00000000-0000-0000-0000-00000000b001";
    public const string Location = "swedencentral";

    public const string AzureMlWorkspaceId =
        $"/subscriptions/{OtherSubscriptionId}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws-llm";

    public const string ContainerRegistryId =
        $"/subscriptions/{SubscriptionId}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/acrllm";

    /// <summary>Two targets: one with an API key in Key Vault, one Azure ML endpoint with Entra tokens.</summary>
    public const string TargetsJson = """
        [
          {"name":"llama-prod","baseUrl":"https://llm.contoso.internal/","dialect":"vllm","model":"meta-llama/Llama-3.1-8B-Instruct",
           "auth":{"apiKeySetting":"LLAMA_PROD_API_KEY"},"limits":{"maxConcurrency":16},"promptBuckets":[512,1024,2048],"batchSizes":[1,8,16]},
          {"name":"aml-phi","baseUrl":"https://phi.swedencentral.inference.ml.azure.com/","dialect":"azureml","model":"phi-4",
           "auth":{"entraScope":"https://ml.azure.com/.default","azureMlDeployment":"blue"},
           "eventRules":[{"resourceIdPrefix":"/subscriptions/x/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws-llm/onlineEndpoints/phi"}]}
        ]
        """;

    public static readonly IReadOnlyDictionary<string, string> SnapshotEnvironment = new Dictionary<string, string>
    {
        ["AZURE_ENV_NAME"] = "warmup-ci",
        ["AZURE_LOCATION"] = Location,
        ["AZURE_PRINCIPAL_ID"] = "00000000-0000-0000-0000-00000000c001",
        ["WARMUP_TARGETS_JSON"] = TargetsJson,
        ["WARMUP_IDLE_SCHEDULE"] = "0 15 * * * *",
        ["WARMUP_AZUREML_WORKSPACE_ID"] = AzureMlWorkspaceId,
        ["WARMUP_AZUREML_SCORING_WORKSPACE_IDS"] = $"[\"{AzureMlWorkspaceId}\"]",
        ["WARMUP_ACR_ID"] = ContainerRegistryId,
        ["WARMUP_ALERT_EMAIL"] = "llm-ops@contoso.example",
    };

    private readonly string _workDir;

    public InfraBuild()
    {
        _workDir = Path.Combine(Path.GetTempPath(), "warmup-infra-tests-" + Guid.NewGuid().ToString("N"));
        CopyDirectory(RepoPaths.Infra, Path.Combine(_workDir, "infra"));
        var infra = Path.Combine(_workDir, "infra");

        Build = BicepCli.Run(infra, null, "build", "main.bicep", "--outfile", Path.Combine(_workDir, "main.json"));
        Lint = BicepCli.Run(infra, null, "lint", "main.bicep");
        BuildParams = BicepCli.Run(infra, null, "build-params", "main.bicepparam", "--outfile", Path.Combine(_workDir, "main.parameters.json"));
        Snapshot = BicepCli.Run(infra, SnapshotEnvironment, "snapshot", "main.bicepparam", "--mode", "overwrite",
            "--subscription-id", SubscriptionId, "--tenant-id", TenantId, "--location", Location,
            "--deployment-name", "warmup-ci");

        CompiledTemplate = ReadJson(Path.Combine(_workDir, "main.json"), Build);
        DefaultParameters = ReadJson(Path.Combine(_workDir, "main.parameters.json"), BuildParams);
        SnapshotDocument = ReadJson(Path.Combine(infra, "main.snapshot.json"), Snapshot);
        PredictedResources = SnapshotDocument["predictedResources"]!.AsArray().Select(r => r!.AsObject()).ToList();
    }

    public BicepResult Build { get; }

    public BicepResult Lint { get; }

    public BicepResult BuildParams { get; }

    public BicepResult Snapshot { get; }

    /// <summary>ARM JSON from <c>bicep build main.bicep</c>.</summary>
    public JsonObject CompiledTemplate { get; }

    /// <summary>Parameters from <c>bicep build-params</c> with no azd environment set.</summary>
    public JsonObject DefaultParameters { get; }

    public JsonObject SnapshotDocument { get; }

    public IReadOnlyList<JsonObject> PredictedResources { get; }

    public IEnumerable<JsonObject> ResourcesOfType(string type) =>
        PredictedResources.Where(r => string.Equals((string?)r["type"], type, StringComparison.OrdinalIgnoreCase));

    public JsonObject SingleResource(string type)
    {
        var matches = ResourcesOfType(type).ToList();
        Assert.True(matches.Count == 1, $"Expected one {type} in the snapshot, found {matches.Count}.");
        return matches[0];
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_workDir, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    private static JsonObject ReadJson(string path, BicepResult producer)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} was not written.\n{producer}");
        }

        return JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false })!.AsObject();
    }

    private static void CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            if (!Path.GetFileName(file).EndsWith(".snapshot.json", StringComparison.Ordinal))
            {
                File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
            }
        }

        foreach (var dir in Directory.EnumerateDirectories(source))
        {
            CopyDirectory(dir, Path.Combine(destination, Path.GetFileName(dir)));
        }
    }
}

[CollectionDefinition(Name)]
public sealed class InfraBuildCollection : ICollectionFixture<InfraBuild>
{
    public const string Name = "infra build";
}
