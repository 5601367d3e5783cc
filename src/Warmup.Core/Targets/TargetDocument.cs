using System.Text.Json;
using System.Text.Json.Serialization;

namespace Warmup.Core.Targets;

// The configuration shape of one target, as written by operators (JSON file, WARMUP_TARGETS, or the
// "Targets" configuration section). Everything is nullable so the validator, not the serializer, decides
// what is missing and says so in words.

internal sealed class TargetDocument
{
    public string? Name { get; set; }
    public string? BaseUrl { get; set; }
    public string? Dialect { get; set; }
    public string? Model { get; set; }
    public string? Api { get; set; }
    public List<string?>? Adapters { get; set; }
    public AuthDocument? Auth { get; set; }
    public LimitsDocument? Limits { get; set; }
    public List<int>? PromptBuckets { get; set; }
    public List<int>? BatchSizes { get; set; }
    public List<EventRuleDocument?>? EventRules { get; set; }
    public string? MetricsUrl { get; set; }
    public JsonElement? RequestTemplate { get; set; }
    public AzureMlDocument? AzureMl { get; set; }
}

internal sealed class AzureMlDocument
{
    public int? MaxConcurrentRequestsPerInstance { get; set; }
    public int? InstanceCount { get; set; }
    public int? RequestTimeoutMs { get; set; }
}

internal sealed class AuthDocument
{
    public string? ApiKeySetting { get; set; }
    public string? EntraScope { get; set; }
    public string? AzureMlDeployment { get; set; }
}

internal sealed class LimitsDocument
{
    public int? MaxConcurrency { get; set; }
    public long? MaxTokensPerRun { get; set; }
    public TimeSpan? ReadyDeadline { get; set; }
    public TimeSpan? RequestTimeout { get; set; }
    public double? AbortFailedShare { get; set; }
    public TimeSpan? BusyMaxWait { get; set; }
    public int? MaxLoadedAdapters { get; set; }
}

internal sealed class EventRuleDocument
{
    public List<string?>? EventTypes { get; set; }
    public string? ResourceIdPrefix { get; set; }
    public string? ResourceIdPattern { get; set; }
    public string? Repository { get; set; }
    public bool? WarmBeforeTraffic { get; set; }
}

internal static class TargetJson
{
    /// <summary>
    /// Case-insensitive names, numbers also as strings (configuration sections only carry strings), comments and
    /// trailing commas allowed, and unknown properties rejected so a typo ("eventRule") is an error, not a silent default.
    /// </summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = true,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };
}
