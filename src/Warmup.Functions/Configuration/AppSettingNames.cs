namespace Warmup.Functions.Configuration;

/// <summary>
/// Every app setting the Functions app reads. infra/ must set each one; a test checks that against the Bicep template.
/// Per-target API key settings are named by each target's auth.apiKeySetting and are not listed here.
/// </summary>
public static class AppSettingNames
{
    /// <summary>JSON array of targets (same shape as the targets section of a config file).</summary>
    public const string Targets = "WARMUP_TARGETS";

    /// <summary>
    /// NCRONTAB schedule of the idle re-warm timer (UTC, six fields). Default hourly: <see cref="WarmupOptions.DefaultIdleSchedule"/>.
    /// The Functions host resolves %WARMUP_IDLE_SCHEDULE% itself, so the setting must exist in the app settings.
    /// </summary>
    public const string IdleSchedule = "WARMUP_IDLE_SCHEDULE";

    /// <summary>
    /// Name of the Storage queue Event Grid delivers deployment events to. Required: the host resolves the %...%
    /// binding expression itself and has no default for it (without it the DeploymentQueue function is not indexed).
    /// </summary>
    public const string DeploymentQueue = "WARMUP_DEPLOYMENT_QUEUE";

    /// <summary>
    /// Name of the Storage queue that receives deployment queue messages that are not events (with the reason and the
    /// original text). Required, like <see cref="DeploymentQueue"/>: it is the trigger's output binding.
    /// </summary>
    public const string DeadLetterQueue = "WARMUP_DEADLETTER_QUEUE";

    /// <summary>
    /// Connection of the deployment queue: the host storage account. With identity-based connections this is a prefix
    /// (AzureWebJobsStorage__queueServiceUri, __credential, __clientId); locally "UseDevelopmentStorage=true".
    /// </summary>
    public const string StorageConnection = "AzureWebJobsStorage";

    /// <summary>Seconds after a warm-up started during which another deployment event for the same target is the same deployment. Default 60.</summary>
    public const string DeploymentDebounceSeconds = "WARMUP_DEPLOYMENT_DEBOUNCE_SECONDS";

    /// <summary>Minutes after a completed warm-up during which the idle timer leaves a target alone. Default 30.</summary>
    public const string IdleWindowMinutes = "WARMUP_IDLE_WINDOW_MINUTES";

    public const string AppInsightsConnectionString = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>"Authorization=AAD;ClientId=..." when App Insights has local auth disabled; the worker exporter then uses the managed identity.</summary>
    public const string AppInsightsAuthenticationString = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>Client id of the user-assigned managed identity (Azure.Identity, App Insights Entra auth).</summary>
    public const string ManagedIdentityClientId = "AZURE_CLIENT_ID";

    /// <summary>Every constant above, for configuration checks.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Targets, IdleSchedule, DeploymentQueue, DeadLetterQueue, StorageConnection, DeploymentDebounceSeconds, IdleWindowMinutes,
        AppInsightsConnectionString, AppInsightsAuthenticationString, ManagedIdentityClientId,
    ];
}
