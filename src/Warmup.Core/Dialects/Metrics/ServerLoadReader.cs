namespace Warmup.Core.Dialects.Metrics;

/// <summary>Turns a scraped metrics page into <see cref="ServerLoad"/>, whichever server family wrote it (vLLM, llama.cpp, SGLang, TGI, Triton).</summary>
public static class ServerLoadReader
{
    /// <summary>Returns null when the page holds none of the families we know.</summary>
    public static ServerLoad? Read(PrometheusText metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return ReadCounters(metrics) is { } load
            ? load with
            {
                Traffic = Traffic.TrafficMetricsReader.Read(metrics),
                // One process, one start time: several samples (a page merged from processes) say nothing about a restart.
                ProcessStartTimeSeconds = metrics.Get("process_start_time_seconds") is [var started] ? started.Value : null,
            }
            : null;
    }

    private static ServerLoad? ReadCounters(PrometheusText metrics)
    {

        // vLLM: labels model_name/engine/finished_reason; summing gives the per-server view.
        if (metrics.Sum("vllm:num_requests_running") is { } vllmRunning)
        {
            return new ServerLoad(
                metrics.Sum("vllm:request_success_total") ?? 0,
                vllmRunning,
                metrics.Sum("vllm:num_requests_waiting") ?? 0)
            { ActivityCounter = "vllm:request_success_total" };
        }

        // llama.cpp has no finished-requests counter (see fixtures/transcripts/llamacpp/metrics*.txt), so generated
        // tokens stand in as the monotonic "something was served" counter.
        if (metrics.Sum("llamacpp:requests_processing") is { } llamaProcessing)
        {
            return new ServerLoad(
                metrics.Sum("llamacpp:tokens_predicted_total") ?? 0,
                llamaProcessing,
                metrics.Sum("llamacpp:requests_deferred") ?? 0)
            { ActivityCounter = "llamacpp:tokens_predicted_total" };
        }

        // SGLang: num_requests_total is newer; older builds only count generated tokens.
        if (metrics.Sum("sglang:num_running_reqs") is { } sglangRunning)
        {
            var counter = metrics.Contains("sglang:num_requests_total") ? "sglang:num_requests_total" : "sglang:generation_tokens_total";
            return new ServerLoad(
                metrics.Sum(counter) ?? 0,
                sglangRunning,
                metrics.Sum("sglang:num_queue_reqs") ?? 0)
            { ActivityCounter = counter };
        }

        // TGI: no running-requests gauge; the current batch size is the requests being generated, tgi_queue_size the waiting ones.
        if (metrics.Sum("tgi_queue_size") is { } tgiQueue)
        {
            var counter = metrics.Contains("tgi_request_success") ? "tgi_request_success" : "tgi_request_count";
            return new ServerLoad(metrics.Sum(counter) ?? 0, metrics.Sum("tgi_batch_current_size") ?? 0, tgiQueue)
            { ActivityCounter = counter };
        }

        // Triton: cumulative per-model counters; pending requests are those waiting for an execution slot. Triton has no
        // running gauge, so running is unknown (0) and the success counter carries the activity.
        if (metrics.Sum("nv_inference_request_success") is { } tritonSuccess)
        {
            return new ServerLoad(tritonSuccess, 0, metrics.Sum("nv_inference_pending_request_count") ?? 0)
            { ActivityCounter = "nv_inference_request_success" };
        }

        return null;
    }
}
