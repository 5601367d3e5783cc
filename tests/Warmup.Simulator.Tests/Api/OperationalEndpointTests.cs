using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Warmup.Simulator.Tests.Api;

public sealed class OperationalEndpointTests
{
    [Fact]
    public async Task Health_connection_is_refused_during_startup_then_200_with_empty_body()
    {
        var profile = Sim.Fast() with { StartupDelayMs = 1500, TimeScale = 1 };
        await using var host = await Sim.StartAsync(profile);
        using var client = Sim.Client(host);

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/health"));
        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(refused.InnerException).SocketErrorCode);
        Assert.False(host.Listening.IsCompleted);

        await host.Listening.WaitAsync(TimeSpan.FromSeconds(30));
        using var ok = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("", await ok.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Models_lists_base_model_with_max_model_len_and_adapters_with_parent()
    {
        await using var host = await Sim.StartAsync(Sim.Fast("lora"));
        using var client = Sim.Client(host);

        var models = JsonNode.Parse(await client.GetStringAsync("/v1/models"))!;
        var data = models["data"]!.AsArray();

        Assert.Equal("list", (string?)models["object"]);
        Assert.Equal(4, data.Count);
        Assert.Equal(host.Profile.Model, (string?)data[0]!["id"]);
        Assert.Null(data[0]!["parent"]);
        Assert.All(data, m => Assert.Equal(8192, (int)m!["max_model_len"]!));
        Assert.All(data, m => Assert.Equal("vllm", (string?)m!["owned_by"]));
        Assert.Equal(["sql-lora", "chat-lora", "code-lora"], data.Skip(1).Select(m => (string)m!["id"]!));
        Assert.All(data.Skip(1), m => Assert.Equal(host.Profile.Model, (string?)m!["parent"]));
    }

    [Theory]
    [InlineData("The capital of France is", 5)]
    [InlineData("Hello, world!", 4)]
    [InlineData("internationalization", 3)]
    [InlineData("<|user|>\nhi", 3)]
    public async Task Tokenize_counts_with_the_documented_tokenizer(string prompt, int expected)
    {
        await using var host = await Sim.StartAsync();
        using var client = Sim.Client(host);

        using var response = await Sim.PostAsync(client, "/tokenize", new JsonObject { ["model"] = host.Profile.Model, ["prompt"] = prompt });
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(expected, (int)body["count"]!);
        Assert.Equal(expected, body["tokens"]!.AsArray().Count);
        Assert.Equal(8192, (int)body["max_model_len"]!);
    }

    [Fact]
    public async Task Tokenize_and_usage_agree_on_prompt_length()
    {
        await using var host = await Sim.StartAsync();
        using var client = Sim.Client(host);
        var prompt = "Warm-up traffic should look like users: several lengths, several concurrency levels.";

        using var tokenize = await Sim.PostAsync(client, "/tokenize", new JsonObject { ["model"] = host.Profile.Model, ["prompt"] = prompt });
        var count = (int)JsonNode.Parse(await tokenize.Content.ReadAsStringAsync())!["count"]!;
        var stream = await Sim.StreamAsync(client, "/v1/completions", Sim.CompletionBody(prompt, 2, includeUsage: true));

        Assert.Equal(count, (int)stream.Json[^1]["usage"]!["prompt_tokens"]!);
    }

    [Fact]
    public async Task Metrics_count_the_cold_penalties_paid_per_kind()
    {
        await using var host = await Sim.StartAsync();
        using var client = Sim.Client(host);

        // First request: one-time init, the 128-token bucket's compile, the batch-1 graph capture, a KV chunk.
        await Sim.StreamAsync(client, "/v1/completions", Sim.CompletionBody(Sim.Prompt(40, "p1"), maxTokens: 4));
        var first = await client.GetStringAsync("/metrics");
        // Same shape again: nothing new to pay. A 300-token prompt: the 512 bucket only.
        await Sim.StreamAsync(client, "/v1/completions", Sim.CompletionBody(Sim.Prompt(41, "p2"), maxTokens: 4));
        await Sim.StreamAsync(client, "/v1/completions", Sim.CompletionBody(Sim.Prompt(300, "p3"), maxTokens: 4));
        var after = await client.GetStringAsync("/metrics");

        Assert.Contains("# TYPE sim:cold_penalties counter", first);
        Assert.Equal(1, Sample(first, "sim:cold_penalties_total", "kind=\"init\""));
        Assert.Equal(1, Sample(first, "sim:cold_penalties_total", "kind=\"jit\""));
        Assert.Equal(1, Sample(first, "sim:cold_penalties_total", "kind=\"graph\""));
        Assert.Equal(2, Sample(after, "sim:cold_penalties_total", "kind=\"jit\""));
        Assert.Equal(1, Sample(after, "sim:cold_penalties_total", "kind=\"graph\""));
        Assert.Equal(1, Sample(after, "sim:cold_penalties_total", "kind=\"init\""));
        var jitSeconds = Sample(after, "sim:cold_penalty_seconds_total", "kind=\"jit\"");
        var profile = host.Profile;
        var expected = (2 * profile.JitCompileBaseMs + profile.JitCompileMsPerToken * (128 + 512)) * profile.TimeScale / 1000;
        Assert.Equal(expected, jitSeconds, precision: 9);
    }

    [Fact]
    public async Task Metrics_use_vllm_names_and_count_what_was_sent()
    {
        await using var host = await Sim.StartAsync();
        using var client = Sim.Client(host);
        var prompts = new[] { Sim.Prompt(40, "m1"), Sim.Prompt(70, "m2"), Sim.Prompt(100, "m3") };
        foreach (var prompt in prompts)
        {
            await Sim.StreamAsync(client, "/v1/completions", Sim.CompletionBody(prompt, maxTokens: 6));
        }

        var text = await client.GetStringAsync("/metrics");
        var model = $"model_name=\"{host.Profile.Model}\"";

        Assert.Contains("# TYPE vllm:num_requests_running gauge", text);
        Assert.Contains("# TYPE vllm:num_requests_waiting gauge", text);
        Assert.Contains("# TYPE vllm:kv_cache_usage_perc gauge", text);
        Assert.Contains("# TYPE vllm:time_to_first_token_seconds histogram", text);
        Assert.Contains("# TYPE vllm:prompt_tokens counter", text);
        Assert.Equal(210, Sample(text, "vllm:prompt_tokens_total", model));
        Assert.Equal(18, Sample(text, "vllm:generation_tokens_total", model));
        Assert.Equal(3, Sample(text, "vllm:request_success_total", "finished_reason=\"length\""));
        Assert.Equal(0, Sample(text, "vllm:request_success_total", "finished_reason=\"abort\""));
        Assert.Equal(3, Sample(text, "vllm:time_to_first_token_seconds_count", model));
        Assert.Equal(3, Sample(text, "vllm:time_to_first_token_seconds_bucket", "le=\"+Inf\""));
        Assert.Equal(210, Sample(text, "vllm:prefix_cache_queries_total", model));
        Assert.Equal(0, Sample(text, "vllm:prefix_cache_hits_total", model));
        Assert.Equal(0, Sample(text, "vllm:num_requests_running", model));
        Assert.Contains("vllm:time_to_first_token_seconds_bucket{engine=\"0\"," + model + ",le=\"0.001\"}", text);
        Assert.Contains(",le=\"2560.0\"}", text);
    }

    [Fact]
    public async Task Unknown_model_gets_404_in_vllm_error_shape()
    {
        await using var host = await Sim.StartAsync();
        using var client = Sim.Client(host);

        using var response = await Sim.PostAsync(client, "/v1/completions", Sim.CompletionBody("hi", model: "no-such-model"));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("The model `no-such-model` does not exist.", (string?)error["message"]);
        Assert.Equal("NotFoundError", (string?)error["type"]);
        Assert.Equal(404, (int)error["code"]!);
    }

    [Fact]
    public async Task Legacy_error_style_uses_the_flat_object()
    {
        await using var host = await Sim.StartAsync(Sim.Fast() with { ErrorStyle = ErrorStyles.Legacy });
        using var client = Sim.Client(host);

        using var response = await Sim.PostAsync(client, "/v1/chat/completions", Sim.ChatBody("hi", model: "nope"));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal("error", (string?)error["object"]);
        Assert.Equal(404, (int)error["code"]!);
    }

    [Fact]
    public async Task Bad_requests_get_400_with_a_message()
    {
        await using var host = await Sim.StartAsync();
        using var client = Sim.Client(host);
        var tooLong = Sim.CompletionBody(Sim.Prompt(8190, "big"), maxTokens: 16);
        var streamOptionsWithoutStream = Sim.CompletionBody("hi", stream: false);
        streamOptionsWithoutStream["stream_options"] = new JsonObject { ["include_usage"] = true };

        using var a = await Sim.PostAsync(client, "/v1/completions", tooLong);
        using var b = await Sim.PostAsync(client, "/v1/completions", streamOptionsWithoutStream);

        Assert.Equal(HttpStatusCode.BadRequest, a.StatusCode);
        Assert.Contains("maximum context length is 8192", await a.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, b.StatusCode);
        Assert.Contains("Stream options can only be defined when `stream=True`.", await b.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Api_key_guards_v1_only()
    {
        await using var host = await Sim.StartAsync(apiKey: "sk-local");
        using var client = Sim.Client(host);

        using var denied = await client.GetAsync("/v1/models");
        using var health = await client.GetAsync("/health");
        using var version = await client.GetAsync("/version");
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-local");
        using var allowed = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        Assert.Equal("{\"error\":\"Unauthorized\"}", await denied.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("0.11.0", (string?)JsonNode.Parse(await version.Content.ReadAsStringAsync())!["version"]);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task Headers_and_log_record_the_true_first_token_send_time()
    {
        var logFile = Path.Combine(Path.GetTempPath(), $"sim-{Guid.NewGuid():N}.jsonl");
        try
        {
            await using (var host = await Sim.StartAsync(logFile: logFile))
            {
                using var client = Sim.Client(host);
                var before = host.Clock.NowUnixNs;
                using var response = await Sim.PostAsync(client, "/v1/completions", Sim.CompletionBody("timing please", 3));
                var received = host.Clock.NowUnixNs;
                await response.Content.ReadAsStringAsync();
                var read = host.Clock.NowUnixNs;

                var id = Sim.Header(response, "x-request-id");
                var firstToken = long.Parse(Sim.Header(response, "x-sim-first-token-unix-ns")!);
                var record = await Sim.RecordAsync(host, id);

                Assert.StartsWith("cmpl-", id);
                Assert.InRange(firstToken, before, received);
                Assert.Equal(3, record.Chunks.Count);
                // Stamped once its flush returned, which may be after the client already has the bytes.
                Assert.InRange(record.Chunks[0].SentUnixNs, firstToken, read);
                Assert.All(record.Chunks, c => Assert.True(c.SentUnixNs >= c.DueUnixNs, "a chunk was sent before the engine modelled it"));
                Assert.Equal(record.Chunks.Select(c => c.SentUnixNs).Order(), record.Chunks.Select(c => c.SentUnixNs));

                var viaHttp = JsonNode.Parse(await client.GetStringAsync("/sim/log?since=0"))!;
                Assert.Equal(id, (string?)viaHttp["records"]![0]!["requestId"]);
                var none = JsonNode.Parse(await client.GetStringAsync($"/sim/log?since={(long)viaHttp["next"]!}"))!;
                Assert.Empty(none["records"]!.AsArray());
            }

            var lines = await File.ReadAllLinesAsync(logFile);
            Assert.Single(lines);
            Assert.Equal(3, JsonNode.Parse(lines[0])!["chunks"]!.AsArray().Count);
        }
        finally
        {
            File.Delete(logFile);
        }
    }

    private static double Sample(string metrics, string name, string labelFragment)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(name + "{", StringComparison.Ordinal) && l.Contains(labelFragment))
            ?? throw new Xunit.Sdk.XunitException($"no sample {name} with {labelFragment} in:\n{metrics}");
        return double.Parse(Regex.Match(line, @"\} (\S+)$").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
