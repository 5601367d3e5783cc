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
}

public static class OpenAiApis
{
    public const string Completions = "completions";
    public const string Chat = "chat";
}
