using System.Globalization;
using Warmup.Core.Dialects.Metrics;

namespace Warmup.Core.Traffic;

/// <summary>
/// Reads the traffic a server served from its metrics page, whichever family wrote it: vLLM's
/// vllm:request_prompt_tokens histogram and vllm:lora_requests_info, TGI's tgi_request_input_length histogram
/// (protocols.md §2.8, §3.7). SGLang, llama.cpp and Triton export no prompt-length histogram, so they give none.
/// </summary>
public static class TrafficMetricsReader
{
    private static readonly string[] s_promptHistograms = ["vllm:request_prompt_tokens", "tgi_request_input_length"];

    /// <summary>The page's traffic, or null when it holds none of the series above.</summary>
    public static TrafficSnapshot? Read(PrometheusText metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var prompt = s_promptHistograms.Select(name => PrometheusHistogram.Read(metrics, name)).FirstOrDefault(h => h is not null);
        var (adapters, maxLoras) = LoraRequests(metrics);
        var snapshot = new TrafficSnapshot(prompt, adapters, maxLoras);
        return snapshot.IsEmpty ? null : snapshot;
    }

    /// <summary>
    /// vLLM sets vllm:lora_requests_info to the time for the running/waiting adapter lists of the moment, and
    /// prometheus_client keeps every label set it was given, so the page holds one series per combination seen: an
    /// adapter in more of them was in use at more moments. Ties keep the newest first.
    /// </summary>
    private static (IReadOnlyList<string> Adapters, int? MaxLoras) LoraRequests(PrometheusText metrics)
    {
        var seen = new Dictionary<string, (int Series, double Latest)>(StringComparer.Ordinal);
        int? maxLoras = null;
        foreach (var sample in metrics.Get("vllm:lora_requests_info"))
        {
            if (sample.Labels.TryGetValue("max_lora", out var max) && int.TryParse(max, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed > 0)
            {
                maxLoras = parsed;
            }

            var names = new[] { "running_lora_adapters", "waiting_lora_adapters" }
                .SelectMany(label => sample.Labels.TryGetValue(label, out var list) ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [])
                .Distinct(StringComparer.Ordinal);
            foreach (var name in names)
            {
                var (series, latest) = seen.GetValueOrDefault(name);
                seen[name] = (series + 1, Math.Max(latest, sample.Value));
            }
        }

        var ordered = seen.OrderByDescending(kv => kv.Value.Series).ThenByDescending(kv => kv.Value.Latest).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => kv.Key).ToList();
        return (ordered, maxLoras);
    }
}
