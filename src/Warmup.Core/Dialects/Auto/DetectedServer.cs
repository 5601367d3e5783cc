namespace Warmup.Core.Dialects.Auto;

/// <summary>What a server said about itself. <see cref="Dialect"/> is the native dialect Warmup speaks to it.</summary>
/// <param name="Family">vllm, sglang, tgi, llamacpp, ollama or triton.</param>
/// <param name="Evidence">The route and answer that told, e.g. "GET /info says router text-generation-router".</param>
public sealed record DetectedServer(string Family, string Dialect, string Evidence)
{
    private static readonly string[] OpenAiFamilies = ["vllm", "sglang", "tgi", "llamacpp", "ollama"];

    /// <summary>
    /// Whether the configured dialect can talk to this server: its native one, the OpenAI layer the family also has, or
    /// vLLM's legacy /generate on vLLM.
    /// </summary>
    public bool Supports(string dialect) =>
        string.Equals(dialect, Dialect, StringComparison.Ordinal)
        || (dialect == DialectNames.OpenAi && OpenAiFamilies.Contains(Family, StringComparer.Ordinal))
        || (dialect == DialectNames.VllmGenerate && Family == "vllm");

    public string Describe() => $"{Family} ({Evidence})";
}

/// <summary>Why detection could not name the server.</summary>
public sealed class DialectDetectionException(string message) : Exception(message);
