using System.Text;

namespace Warmup.Simulator.Metrics;

/// <summary>
/// The same engine counters under each server family's own metric names (protocols.md §3.7 tgi_*, §4.4 sglang:*,
/// §5.4 llamacpp:*, §6.3 nv_*). vLLM keeps <see cref="SimMetrics.Render"/>; Ollama has no metrics endpoint.
/// </summary>
internal static class FamilyMetrics
{
    public static string Render(string family, SimMetrics metrics, string model)
    {
        var (prompt, generation, success) = metrics.Totals();
        var sb = new StringBuilder();
        switch (family)
        {
            case ServerFamily.Tgi:
                Line(sb, "tgi_queue_size", "gauge", "", metrics.Waiting);
                Line(sb, "tgi_batch_current_size", "gauge", "", metrics.Running);
                Line(sb, "tgi_request_count", "counter", "", success + metrics.Running);
                Line(sb, "tgi_request_success", "counter", "", success);
                Line(sb, "tgi_request_generated_tokens_sum", "untyped", "", generation);
                break;
            case ServerFamily.Sglang:
                var labels = $"{{model_name=\"{model}\"}}";
                Line(sb, "sglang:num_running_reqs", "gauge", labels, metrics.Running);
                Line(sb, "sglang:num_queue_reqs", "gauge", labels, metrics.Waiting);
                Line(sb, "sglang:token_usage", "gauge", labels, metrics.KvCacheUsage);
                Line(sb, "sglang:prompt_tokens_total", "counter", labels, prompt);
                Line(sb, "sglang:generation_tokens_total", "counter", labels, generation);
                Line(sb, "sglang:num_requests_total", "counter", labels, success);
                break;
            case ServerFamily.LlamaCpp:
                Line(sb, "llamacpp:prompt_tokens_total", "counter", "", prompt);
                Line(sb, "llamacpp:tokens_predicted_total", "counter", "", generation);
                Line(sb, "llamacpp:requests_processing", "gauge", "", metrics.Running);
                Line(sb, "llamacpp:requests_deferred", "gauge", "", metrics.Waiting);
                break;
            case ServerFamily.Triton:
                var model1 = $"{{model=\"{model}\",version=\"1\"}}";
                Line(sb, "nv_inference_request_success", "counter", model1, success);
                Line(sb, "nv_inference_request_failure", "counter", model1, 0);
                Line(sb, "nv_inference_count", "counter", model1, success);
                Line(sb, "nv_inference_pending_request_count", "gauge", model1, metrics.Waiting);
                break;
            default:
                return metrics.Render();
        }

        return sb.ToString();
    }

    private static void Line(StringBuilder sb, string name, string type, string labels, double value)
    {
        sb.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        sb.Append(name).Append(labels).Append(' ').Append(SimMetrics.Format(value)).Append('\n');
    }
}
