namespace Warmup.Core.Targets;

/// <summary>
/// How requests to a target authenticate. Holds names of secrets, never secrets, so a target can be
/// logged and serialized into orchestration history safely.
/// </summary>
public sealed record TargetAuth
{
    /// <summary>Name of the app setting / environment variable holding the API key (may be a Key Vault reference in Azure).</summary>
    public string? ApiKeySetting { get; init; }

    /// <summary>Entra ID scope for a bearer token from the managed identity, e.g. https://ml.azure.com/.default.</summary>
    public string? EntraScope { get; init; }

    /// <summary>Azure ML: the deployment to pin with the azureml-model-deployment header.</summary>
    public string? AzureMlDeployment { get; init; }

    /// <summary>
    /// "app setting 'NAME' named by auth.apiKeySetting" for messages; when the value does not look like a setting name it
    /// may be a pasted key, so it is left out.
    /// </summary>
    public static string DescribeApiKeySetting(string setting) => TargetCatalog.LooksLikeSettingName(setting)
        ? $"app setting '{setting}' named by auth.apiKeySetting"
        : "the app setting named by auth.apiKeySetting (the value does not look like a setting name; it may be the key itself; it is not printed)";
}
