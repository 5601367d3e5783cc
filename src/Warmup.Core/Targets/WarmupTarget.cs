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

    /// <summary>For the openai dialect: "completions" (/v1/completions) or "chat" (/v1/chat/completions).</summary>
    public string Api { get; init; } = OpenAiApis.Completions;

    public TargetAuth Auth { get; init; } = new();

    public TargetLimits Limits { get; init; } = new();

    public IReadOnlyList<EventMatchRule> EventRules { get; init; } = [];
}

public static class OpenAiApis
{
    public const string Completions = "completions";
    public const string Chat = "chat";
}
