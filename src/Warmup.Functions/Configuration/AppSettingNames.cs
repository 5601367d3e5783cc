namespace Warmup.Functions.Configuration;

/// <summary>
/// Every app setting the Functions app reads. infra/ must set each one; a test checks that against the Bicep template.
/// </summary>
public static class AppSettingNames
{
    /// <summary>JSON array of targets (same shape as the targets section of a config file).</summary>
    public const string Targets = "WARMUP_TARGETS";

    /// <summary>NCRONTAB schedule of the idle re-warm timer. Default hourly.</summary>
    public const string IdleSchedule = "WARMUP_IDLE_SCHEDULE";

    /// <summary>Name of the Storage queue Event Grid delivers deployment events to.</summary>
    public const string DeploymentQueue = "WARMUP_DEPLOYMENT_QUEUE";

    public const string AppInsightsConnectionString = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>Client id of the user-assigned managed identity (Azure.Identity, App Insights Entra auth).</summary>
    public const string ManagedIdentityClientId = "AZURE_CLIENT_ID";
}
