namespace Warmup.Core.Dialects;

public static class DialectNames
{
    /// <summary>OpenAI-compatible /v1/completions and /v1/chat/completions (vLLM, SGLang, llama.cpp, TGI Messages API, Ollama /v1).</summary>
    public const string OpenAi = "openai";

    /// <summary>vLLM's legacy demo server POST /generate (newline- or NUL-delimited cumulative JSON).</summary>
    public const string VllmGenerate = "vllm-generate";

    /// <summary>Hugging Face TGI native POST /generate_stream.</summary>
    public const string Tgi = "tgi";

    /// <summary>SGLang native POST /generate (cumulative text, meta_info counts).</summary>
    public const string Sglang = "sglang";

    /// <summary>llama.cpp llama-server native POST /completion (n_predict, timings, slots).</summary>
    public const string LlamaCpp = "llamacpp";

    /// <summary>Ollama POST /api/generate or /api/chat (NDJSON).</summary>
    public const string Ollama = "ollama";

    /// <summary>Triton Inference Server generate extension, POST /v2/models/{model}/generate_stream.</summary>
    public const string Triton = "triton";

    /// <summary>Azure Machine Learning managed online endpoint (scoring URI, azureml-model-deployment header).</summary>
    public const string AzureMl = "azureml";

    /// <summary>Detect the family from the server's own routes, then speak its native dialect.</summary>
    public const string Auto = "auto";

    /// <summary>Whether a configured dialect name asks for detection rather than naming a family.</summary>
    public static bool IsAuto(string? name) => string.Equals(name?.Trim(), Auto, StringComparison.OrdinalIgnoreCase);
}
