using System.Reflection;
using System.Text.Json.Nodes;
using Warmup.Functions.Configuration;
using Warmup.Infra.Tests.Bicep;

namespace Warmup.Infra.Tests.Settings;

/// <summary>The app settings the template sets, as evaluated by <c>bicep snapshot</c> with two sample targets.</summary>
[Collection(InfraBuildCollection.Name)]
public sealed class AppSettingsTests(InfraBuild infra)
{
    // Flex Consumption rejects or ignores these ("Flex Consumption plan deprecations"); a plain
    // AzureWebJobsStorage connection string would mean shared keys.
    private static readonly string[] _forbiddenOnFlex =
    [
        "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_CONTENTSHARE",
        "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_TIME_ZONE", "TZ", "SCM_DO_BUILD_DURING_DEPLOYMENT",
        "AzureWebJobsStorage", "APPINSIGHTS_INSTRUMENTATIONKEY",
    ];

    public static TheoryData<string> SettingNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in AppSettingNamesValues())
        {
            data.Add(name);
        }

        return data;
    }

    internal static IReadOnlyList<string> AppSettingNamesValues() =>
        typeof(AppSettingNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();

    private JsonObject Settings => infra.SingleResource("Microsoft.Web/sites/config")["properties"]!.AsObject();

    [Fact]
    public void AppSettingNames_is_not_empty()
    {
        Assert.True(AppSettingNamesValues().Count >= 5);
    }

    [Theory]
    [MemberData(nameof(SettingNames))]
    public void Every_setting_the_app_reads_is_set_by_the_template(string name)
    {
        // An identity-based connection (AzureWebJobsStorage) is a prefix: NAME__credential, NAME__clientId, ...
        var keys = Settings.Where(s => s.Key == name || s.Key.StartsWith(name + "__", StringComparison.Ordinal)).ToList();
        Assert.True(keys.Count > 0, $"{name} (AppSettingNames) is not set in infra/modules/functionapp.bicep.");
        Assert.All(keys, s => Assert.False(string.IsNullOrWhiteSpace(s.Value!.GetValue<string>()), $"{s.Key} is empty."));
    }

    [Fact]
    public void Debounce_and_idle_window_have_their_defaults()
    {
        Assert.Equal("60", Settings["WARMUP_DEPLOYMENT_DEBOUNCE_SECONDS"]!.GetValue<string>());
        Assert.Equal("30", Settings["WARMUP_IDLE_WINDOW_MINUTES"]!.GetValue<string>());
    }

    [Fact]
    public void App_settings_resource_belongs_to_the_function_app()
    {
        var site = infra.SingleResource("Microsoft.Web/sites");
        var config = infra.SingleResource("Microsoft.Web/sites/config");
        Assert.Equal($"{site["name"]}/appsettings", (string?)config["name"]);
    }

    [Fact]
    public void Targets_are_serialised_unchanged_into_WARMUP_TARGETS()
    {
        var expected = JsonNode.Parse(InfraBuild.TargetsJson)!;
        var actual = JsonNode.Parse(Settings[AppSettingNames.Targets]!.GetValue<string>())!;
        Assert.True(JsonNode.DeepEquals(expected, actual), $"WARMUP_TARGETS was {actual.ToJsonString()}");
    }

    [Fact]
    public void Idle_schedule_and_queues_come_from_parameters_and_the_created_queues()
    {
        Assert.Equal("0 15 * * * *", Settings[AppSettingNames.IdleSchedule]!.GetValue<string>());
        var queues = infra.ResourcesOfType("Microsoft.Storage/storageAccounts/queueServices/queues")
            .Select(q => ((string)q["name"]!).Split('/')[^1])
            .Order();
        var deployment = Settings[AppSettingNames.DeploymentQueue]!.GetValue<string>();
        var deadLetter = Settings[AppSettingNames.DeadLetterQueue]!.GetValue<string>();
        Assert.Equal("deployment-events", deployment);
        Assert.Equal("deployment-events-deadletter", deadLetter);
        Assert.Equal(new[] { deployment, deadLetter }.Order(), queues);
    }

    [Fact]
    public void Api_key_settings_are_key_vault_references_to_the_created_vault()
    {
        var vault = (string)infra.SingleResource("Microsoft.KeyVault/vaults")["name"]!;
        Assert.Equal(
            $"@Microsoft.KeyVault(VaultName={vault};SecretName=llama-prod-api-key)",
            Settings["LLAMA_PROD_API_KEY"]!.GetValue<string>());

        var site = infra.SingleResource("Microsoft.Web/sites");
        var identity = infra.SingleResource("Microsoft.ManagedIdentity/userAssignedIdentities");
        Assert.EndsWith("/" + (string)identity["name"]!, (string)site["properties"]!["keyVaultReferenceIdentity"]!);
    }

    [Fact]
    public void Only_targets_with_an_api_key_setting_get_one()
    {
        var keyVaultReferences = Settings.Where(s => s.Value!.GetValue<string>().StartsWith("@Microsoft.KeyVault(", StringComparison.Ordinal));
        Assert.Equal(["LLAMA_PROD_API_KEY"], keyVaultReferences.Select(s => s.Key));
    }

    [Fact]
    public void Host_storage_and_telemetry_use_the_managed_identity()
    {
        Assert.Equal("managedidentity", Settings["AzureWebJobsStorage__credential"]!.GetValue<string>());
        foreach (var key in new[] { "AzureWebJobsStorage__accountName", "AzureWebJobsStorage__clientId",
                     "AzureWebJobsStorage__blobServiceUri", "AzureWebJobsStorage__queueServiceUri", "AzureWebJobsStorage__tableServiceUri" })
        {
            Assert.True(Settings.ContainsKey(key), $"{key} missing");
        }

        var clientIdExpression = Settings[AppSettingNames.ManagedIdentityClientId]!.GetValue<string>();
        Assert.Contains("userAssignedIdentities", clientIdExpression, StringComparison.Ordinal);
        Assert.Equal(clientIdExpression, Settings["AzureWebJobsStorage__clientId"]!.GetValue<string>());
        var authentication = Settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]!.GetValue<string>();
        Assert.Contains("ClientId={0};Authorization=AAD", authentication, StringComparison.Ordinal);
    }

    [Fact]
    public void No_setting_that_Flex_Consumption_rejects_or_that_needs_shared_keys()
    {
        Assert.Empty(Settings.Select(s => s.Key).Intersect(_forbiddenOnFlex, StringComparer.OrdinalIgnoreCase));
    }
}
