using System.Net.Http.Json;
using Warmup.Core.Dialects.Metrics;
using Warmup.Core.Traffic;
using Warmup.Simulator;

namespace Warmup.Integration.Tests.Traffic;

/// <summary>
/// The simulator's vLLM request-size histograms, counted from the requests it served, read back over loopback with the
/// engine's own Prometheus parser (the path the idle timer takes).
/// </summary>
public sealed class RequestHistogramTests
{
    private static SimulatorProfile Fast(string name = "default") =>
        SimulatorProfile.Builtin(name) with { TimeScale = 0.02, StartupDelayMs = 0, JitterFraction = 0 };

    [Fact]
    public async Task Prompt_and_generation_histograms_count_the_requests_served_in_vllm_buckets()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = Fast() });
        using var http = new HttpClient { BaseAddress = simulator.BaseUrl };
        // One word = one token in the simulator's tokenizer: prompts of exactly 3, 40, 40 and 700 tokens.
        (int Prompt, int Output)[] sent = [(3, 2), (40, 5), (40, 5), (700, 9)];
        foreach (var (prompt, output) in sent)
        {
            await CompleteAsync(http, simulator.Profile.Model, prompt, output);
        }

        var page = PrometheusText.Parse(await http.GetStringAsync("/metrics"));
        var prompts = PrometheusHistogram.Read(page, "vllm:request_prompt_tokens");
        var generated = PrometheusHistogram.Read(page, "vllm:request_generation_tokens");

        Assert.NotNull(prompts);
        Assert.NotNull(generated);
        Assert.Equal(4, prompts.Count);
        Assert.Equal(3 + 40 + 40 + 700, prompts.Sum);
        Assert.Equal(2 + 5 + 5 + 9, generated.Sum);
        // vLLM's 1-2-5 buckets up to max_model_len (8192), +Inf last; cumulative counts.
        Assert.Equal([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, double.PositiveInfinity], prompts.Buckets.Select(b => b.UpperBound));
        Assert.Equal([0, 0, 1, 1, 1, 3, 3, 3, 3, 4, 4, 4, 4], prompts.Buckets.Select(b => b.CumulativeCount));

        // The load reader attaches the histogram for the idle timer.
        var load = ServerLoadReader.Read(page);
        Assert.NotNull(load?.Traffic?.PromptTokens);
        Assert.Equal(4, load.Traffic.PromptTokens.Count);
    }

    [Fact]
    public async Task A_lora_server_names_its_adapters_in_use_and_how_many_it_holds()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = Fast("lora") });
        using var http = new HttpClient { BaseAddress = simulator.BaseUrl };
        var adapters = simulator.Profile.LoraAdapters.Select(a => a.Name).ToList();
        // One at a time, so each is its own running set: seen equally often, the one used last ranks first.
        await CompleteAsync(http, adapters[0], 10, 2);
        await CompleteAsync(http, adapters[1], 10, 2);
        await CompleteAsync(http, simulator.Profile.Model, 11, 2);

        var traffic = TrafficMetricsReader.Read(PrometheusText.Parse(await http.GetStringAsync("/metrics")));

        Assert.NotNull(traffic);
        Assert.Equal(simulator.Profile.MaxLoras, traffic.MaxLoadedAdapters);
        Assert.Equal([adapters[1], adapters[0]], traffic.AdaptersByUse);
    }

    private static async Task CompleteAsync(HttpClient http, string model, int promptTokens, int outputTokens)
    {
        var prompt = string.Concat(Enumerable.Repeat(" word", promptTokens));
        using var response = await http.PostAsJsonAsync("/v1/completions", new
        {
            model,
            prompt,
            max_tokens = outputTokens,
            min_tokens = outputTokens,
            ignore_eos = true,
        });
        response.EnsureSuccessStatusCode();
    }
}
