namespace Warmup.Simulator;

/// <summary>
/// Which server the simulator impersonates (routes, stream format, readiness behaviour, metrics names). Every family
/// runs the same cold-start engine, so a warm-up is judged the same way whatever the wire.
/// </summary>
public static class ServerFamily
{
    /// <summary>vLLM: OpenAI routes + legacy /generate; connection refused while loading.</summary>
    public const string Vllm = "vllm";

    /// <summary>TGI: /generate_stream, /info, /tokenize, tgi_* metrics; connection refused while loading.</summary>
    public const string Tgi = "tgi";

    /// <summary>SGLang: native /generate, /get_model_info; listening while warming up, /health 503 until done.</summary>
    public const string Sglang = "sglang";

    /// <summary>llama.cpp: /completion, /props (slots), /slots; 503 "Loading model" on every route while loading.</summary>
    public const string LlamaCpp = "llamacpp";

    /// <summary>Ollama: /api/generate, /api/chat (NDJSON), /api/tags; "Ollama is running" at once, the model listed once pulled.</summary>
    public const string Ollama = "ollama";

    /// <summary>Triton: /v2/models/{m}/generate_stream, /v2/health/ready (400 until ready), nv_* metrics.</summary>
    public const string Triton = "triton";

    /// <summary>Azure ML managed online endpoint: two deployments (blue, green) routed by azureml-model-deployment.</summary>
    public const string AzureMl = "azureml";

    public static IReadOnlyList<string> All { get; } = [Vllm, Tgi, Sglang, LlamaCpp, Ollama, Triton, AzureMl];

    /// <summary>Families whose port listens while the model loads (they answer "not yet" instead of refusing connections).</summary>
    public static bool ListensWhileLoading(string family) => family is not (Vllm or Tgi);

    /// <summary>The names accepted by --dialect: the Warmup dialect names (openai means vLLM).</summary>
    public static string? FromDialect(string name) => name.Trim().ToLowerInvariant() switch
    {
        "openai" or "vllm" or "vllm-generate" => Vllm,
        var n when All.Contains(n) => n,
        _ => null,
    };
}
