using Warmup.Core.Dialects.Metrics;

namespace Warmup.Core.Traffic;

/// <summary>
/// What one scrape of a server's metrics says about the traffic it served: its cumulative prompt-length histogram and
/// the LoRA adapters it names (vLLM's vllm:lora_requests_info). Null parts: the server does not export them.
/// </summary>
/// <param name="PromptTokens">Cumulative requests by prompt length since the server started.</param>
/// <param name="AdaptersByUse">Adapters seen running or waiting, the most often seen first.</param>
/// <param name="MaxLoadedAdapters">Adapters the server holds at once (vLLM's max_loras), when it says.</param>
public sealed record TrafficSnapshot(PrometheusHistogram? PromptTokens, IReadOnlyList<string> AdaptersByUse, int? MaxLoadedAdapters)
{
    public bool IsEmpty => PromptTokens is null && AdaptersByUse.Count == 0 && MaxLoadedAdapters is null;
}
