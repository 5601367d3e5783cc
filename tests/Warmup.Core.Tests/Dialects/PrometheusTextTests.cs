using Warmup.Core.Dialects.Metrics;
using Warmup.Core.Tests.TestSupport;

namespace Warmup.Core.Tests.Dialects;

public sealed class PrometheusTextTests
{
    /// <summary>Shaped after protocols.md §2.8: labelled V1 engine metrics, a counter with _created, a histogram.</summary>
    internal const string VllmSample = """
        # HELP vllm:num_requests_running Number of requests in model execution batches.
        # TYPE vllm:num_requests_running gauge
        vllm:num_requests_running{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 2.0
        vllm:num_requests_running{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 1.0
        # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
        # TYPE vllm:num_requests_waiting gauge
        vllm:num_requests_waiting{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 2.0
        # HELP vllm:request_success_total Count of successfully processed requests.
        # TYPE vllm:request_success_total counter
        vllm:request_success_total{engine="0",finished_reason="stop",model_name="meta-llama/Llama-3.1-8B-Instruct"} 4.0
        vllm:request_success_total{engine="0",finished_reason="length",model_name="meta-llama/Llama-3.1-8B-Instruct"} 10.0
        vllm:request_success_total{engine="0",finished_reason="abort",model_name="meta-llama/Llama-3.1-8B-Instruct"} 1.0
        # TYPE vllm:request_success_created gauge
        vllm:request_success_created{engine="0",finished_reason="stop",model_name="meta-llama/Llama-3.1-8B-Instruct"} 1.7600000001e+09
        # HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.
        # TYPE vllm:time_to_first_token_seconds histogram
        vllm:time_to_first_token_seconds_bucket{engine="0",le="0.001",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.0
        vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="meta-llama/Llama-3.1-8B-Instruct"} 15.0
        vllm:time_to_first_token_seconds_count{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 15.0
        vllm:time_to_first_token_seconds_sum{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3.25
        vllm:kv_cache_usage_perc{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.125
        http_requests_total{handler="/v1/completions",method="POST",status="2xx"} 15.0
        """;

    [Fact]
    public void Llamacpp_metrics_parse()
    {
        var metrics = PrometheusText.Parse(FixturePaths.TranscriptText("llamacpp", "metrics.busy.txt"));

        Assert.Equal(28, metrics.Sum("llamacpp:tokens_predicted_total"));
        Assert.Equal(140, metrics.Sum("llamacpp:prompt_tokens_total"));
        Assert.Equal(1, metrics.Sum("llamacpp:requests_processing"));
        Assert.Equal(2, metrics.Sum("llamacpp:requests_deferred"));
        Assert.Equal(12, metrics.Samples.Count());
        Assert.Empty(metrics.Get("llamacpp:tokens_predicted_total")[0].Labels);
    }

    [SkippableTheory]
    [InlineData("metrics.txt", 10, 36)]
    [InlineData("metrics.after-requests.txt", 16, 63)]
    public void Published_live_llamacpp_metrics_parse(string file, double predicted, double promptTokens)
    {
        var metrics = PrometheusText.Parse(File.ReadAllText(FixturePaths.PublishedTranscript("llamacpp", file)));

        Assert.Equal(predicted, metrics.Sum("llamacpp:tokens_predicted_total"));
        Assert.Equal(promptTokens, metrics.Sum("llamacpp:prompt_tokens_total"));
        Assert.Equal(0, metrics.Sum("llamacpp:requests_processing"));
        Assert.Equal(0, metrics.Sum("llamacpp:requests_deferred"));
        Assert.Equal(12, metrics.Samples.Count());
        Assert.Empty(metrics.Get("llamacpp:tokens_predicted_total")[0].Labels);
    }

    [Fact]
    public void Vllm_sample_sums_over_label_sets_and_keeps_labels()
    {
        var metrics = PrometheusText.Parse(VllmSample);

        Assert.Equal(15, metrics.Sum("vllm:request_success_total"));
        Assert.Equal(3, metrics.Sum("vllm:num_requests_running"));
        Assert.Contains(metrics.Get("vllm:time_to_first_token_seconds_bucket"), s => s.Labels["le"] == "+Inf" && s.Value == 15);
        Assert.Contains(metrics.Get("vllm:request_success_total"), s => s.Labels["finished_reason"] == "length" && s.Value == 10);
        Assert.Equal(1.7600000001e+09, metrics.Sum("vllm:request_success_created"));
        Assert.Null(metrics.Sum("vllm:gpu_cache_usage_perc"));
        Assert.Equal(0.125, metrics.SumFirst("vllm:gpu_cache_usage_perc", "vllm:kv_cache_usage_perc"));
    }

    [Fact]
    public void Label_values_may_hold_escapes_commas_and_braces()
    {
        var metrics = PrometheusText.Parse("""
            m{path="C:\\dir",msg="say \"hi\", then }",nl="a\nb"} 1 1760000000000
            m{} 2
            m 3
            """);

        var samples = metrics.Get("m");
        Assert.Equal(3, samples.Count);
        Assert.Equal(@"C:\dir", samples[0].Labels["path"]);
        Assert.Equal("say \"hi\", then }", samples[0].Labels["msg"]);
        Assert.Equal("a\nb", samples[0].Labels["nl"]);
        Assert.Equal(6, metrics.Sum("m"));
    }

    [Fact]
    public void Special_values_parse()
    {
        var metrics = PrometheusText.Parse("a +Inf\nb -Inf\nc NaN\nd 1e3\n");

        Assert.Equal(double.PositiveInfinity, metrics.Sum("a"));
        Assert.Equal(double.NegativeInfinity, metrics.Sum("b"));
        Assert.True(double.IsNaN(metrics.Sum("c")!.Value));
        Assert.Equal(1000, metrics.Sum("d"));
    }

    [Fact]
    public void Unreadable_lines_are_skipped_without_losing_the_rest()
    {
        var metrics = PrometheusText.Parse("good 1\nbad{unterminated=\"x 2\nworse notanumber\n{nolabelname} 3\n# EOF\nalso_good 4\n");

        Assert.Equal(["also_good", "good"], metrics.Samples.Select(s => s.Name).Order());
    }

    [Fact]
    public void Unknown_server_families_give_no_load()
    {
        Assert.Null(ServerLoadReader.Read(PrometheusText.Parse("process_cpu_seconds_total 12\n")));
    }

    [Fact]
    public void Sglang_load_reads_running_and_queued()
    {
        var load = ServerLoadReader.Read(PrometheusText.Parse("""
            sglang:num_running_reqs{model_name="m"} 4
            sglang:num_queue_reqs{model_name="m"} 7
            sglang:generation_tokens_total{model_name="m"} 900
            """));

        Assert.Equal((900d, 4d, 7d, "sglang:generation_tokens_total"), (load!.RequestsCompleted, load.Running, load.Waiting, load.ActivityCounter));
    }
}
