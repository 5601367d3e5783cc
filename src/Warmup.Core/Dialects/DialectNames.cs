namespace Warmup.Core.Dialects;

public static class DialectNames
{
    /// <summary>OpenAI-compatible /v1/completions and /v1/chat/completions (vLLM, SGLang, llama.cpp, TGI Messages API, Ollama /v1).</summary>
    public const string OpenAi = "openai";

    /// <summary>vLLM's legacy demo server POST /generate (newline- or NUL-delimited cumulative JSON).</summary>
    public const string VllmGenerate = "vllm-generate";
}
