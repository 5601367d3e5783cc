namespace Warmup.Core.Targets;

/// <summary>One configured inference endpoint. Warm-ups only ever go to targets configured like this.</summary>
public sealed record WarmupTarget
{
    public required string Name { get; init; }

    /// <summary>Server root, e.g. http://10.0.0.4:8000/ (no /v1 suffix).</summary>
    public required Uri BaseUrl { get; init; }

    /// <summary>Dialect name, see <see cref="Warmup.Core.Dialects.DialectNames"/>.</summary>
    public string Dialect { get; init; } = "openai";

    /// <summary>Served model name (vLLM --served-model-name).</summary>
    public required string Model { get; init; }

    /// <summary>LoRA adapter names served beside the base model; each is warmed separately.</summary>
    public IReadOnlyList<string> Adapters { get; init; } = [];

    /// <summary>
    /// For the openai dialect: "completions" (/v1/completions) or "chat" (/v1/chat/completions); ollama: /api/generate or
    /// /api/chat; azureml: the scoring payload, "completions", "chat" or "template" (<see cref="RequestTemplate"/>).
    /// </summary>
    public string Api { get; init; } = OpenAiApis.Completions;

    public TargetAuth Auth { get; init; } = new();

    public TargetLimits Limits { get; init; } = new();

    /// <summary>
    /// Upper edges, in tokens, of the prefill shapes the server compiles, which the full plan covers one rung each.
    /// Null: powers of two from 32 up to the context window. Set it when the server compiles other shapes (e.g.
    /// every 512 tokens up to 8192).
    /// </summary>
    public IReadOnlyList<int>? PromptBuckets { get; init; }

    /// <summary>
    /// Decode batch sizes the server captures graphs for, which the full plan's concurrency ladder covers (up to
    /// <see cref="TargetLimits.MaxConcurrency"/>). Null: vLLM's defaults 1, 2, 4, 8, 16, 24, 32. Set it when the server
    /// captures other sizes (e.g. every 8 up to 64).
    /// </summary>
    public IReadOnlyList<int>? BatchSizes { get; init; }

    public IReadOnlyList<EventMatchRule> EventRules { get; init; } = [];

    /// <summary>
    /// Where the server's Prometheus metrics are when not at {baseUrl}/metrics (Triton serves them on port 8002). It is a
    /// configured URL like the base URL: the target's credentials go there too.
    /// </summary>
    public Uri? MetricsUrl { get; init; }

    /// <summary>
    /// JSON request body with <c>{{prompt}}</c> and <c>{{max_tokens}}</c> placeholders, for servers whose fields differ per
    /// backend (Triton) or per scoring script (Azure ML api "template"). See <see cref="Warmup.Core.Dialects.Wire.PayloadTemplate"/>.
    /// </summary>
    public string? RequestTemplate { get; init; }

    /// <summary>Azure ML deployment settings Warmup must respect (azureml dialect only).</summary>
    public AzureMlSettings AzureMl { get; init; } = new();
}

/// <summary>
/// What Warmup knows about an Azure ML online deployment's request settings. Unset means Azure ML's defaults: the plan is
/// capped at 1 request per instance (see AzureMlDialect.GetCapacityAsync), and a 408/429 is explained when it happens.
/// </summary>
public sealed record AzureMlSettings
{
    /// <summary>request_settings.max_concurrent_requests_per_instance (Azure ML default 1).</summary>
    public int? MaxConcurrentRequestsPerInstance { get; init; }

    /// <summary>instance_count of the deployment.</summary>
    public int? InstanceCount { get; init; }

    /// <summary>request_settings.request_timeout_ms (Azure ML default 5000): a slower request is cut with HTTP 408.</summary>
    public int? RequestTimeoutMs { get; init; }
}

public static class OpenAiApis
{
    public const string Completions = "completions";
    public const string Chat = "chat";

    /// <summary>Azure ML: the target's <see cref="WarmupTarget.RequestTemplate"/> posted to the scoring route (/score).</summary>
    public const string Template = "template";
}
