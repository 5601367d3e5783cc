using System.Diagnostics;
using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Warmup.Simulator.Tests.Faults;

/// <summary>Every fault mode, as a streaming client sees it.</summary>
public sealed class FaultModeTests
{
    [Fact]
    public async Task A_503_burst_hits_the_first_requests_then_service_resumes()
    {
        await using var host = await Sim.StartAsync(faults: FaultPlan.Parse("503-burst:3"));
        using var client = Sim.Client(host);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await Sim.PostAsync(client, "/v1/completions", Sim.CompletionBody("hi", 2));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                Assert.Equal(503, (int)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]!);
            }
        }

        Assert.Equal([HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK, HttpStatusCode.OK], statuses);
    }

    [Fact]
    public async Task Die_drops_every_connection_health_included_for_its_duration_then_the_server_answers_again()
    {
        await using var host = await Sim.StartAsync(faults: FaultPlan.Parse("die:1s@every=2"));
        using var client = Sim.Client(host);

        using var first = await Sim.PostAsync(client, "/v1/completions", Sim.CompletionBody("hi", 2));
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<HttpRequestException>(() => Sim.PostAsync(client, "/v1/completions", Sim.CompletionBody("hi", 2)));
        // The outage started when the server took that request, before the client saw its connection drop.
        var dropped = clock.Elapsed;
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri("/health", UriKind.Relative)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), "the outage checks ran past the outage");
        var over = dropped + TimeSpan.FromSeconds(1.05) - clock.Elapsed;
        await Task.Delay(over > TimeSpan.Zero ? over : TimeSpan.Zero);
        using var health = await client.GetAsync(new Uri("/health", UriKind.Relative));
        // Once only: the fourth request (every=2 would select it) is served.
        using var third = await Sim.PostAsync(client, "/v1/completions", Sim.CompletionBody("hi", 2));
        using var fourth = await Sim.PostAsync(client, "/v1/completions", Sim.CompletionBody("hi", 2));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fourth.StatusCode);
    }

    [Fact]
    public async Task Restart_drops_connections_like_die_and_the_server_comes_back_with_nothing_warm()
    {
        await using var host = await Sim.StartAsync(faults: FaultPlan.Parse("restart:500ms@every=2"));
        using var client = Sim.Client(host);

        var first = await Sim.CompleteAsync(host, client, Sim.CompletionBody(Sim.Prompt(300, "first"), 2));
        var warm = host.State;
        await Assert.ThrowsAsync<HttpRequestException>(() => Sim.PostAsync(client, "/v1/completions", Sim.CompletionBody("hi", 2)));
        var cold = host.State;
        await Task.Delay(TimeSpan.FromSeconds(1));
        var again = await Sim.CompleteAsync(host, client, Sim.CompletionBody(Sim.Prompt(300, "again"), 2));

        Assert.Contains(first.Penalties, p => p.Name.StartsWith("jit:", StringComparison.Ordinal));
        Assert.True(warm.Initialised);
        Assert.NotEmpty(warm.CompiledBuckets);
        // Gone with the old process: the one-time init, the compiled bucket, the captured graph, the KV growth.
        Assert.False(cold.Initialised);
        Assert.Empty(cold.CompiledBuckets);
        Assert.Empty(cold.CapturedGraphSizes);
        Assert.Equal(0, cold.KvHighWaterBlocks);
        // The same shape pays its init and compile again after the restart.
        Assert.Contains(again.Penalties, p => p.Name == "init");
        Assert.Contains(again.Penalties, p => p.Name.StartsWith("jit:", StringComparison.Ordinal));
        Assert.Equal(warm.CompiledBuckets, host.State.CompiledBuckets);
    }

    [Theory]
    [InlineData("die", false)]
    [InlineData("restart", true)]
    public async Task Restart_starts_the_exported_metrics_again_with_a_new_start_time_and_die_keeps_them(string fault, bool newProcess)
    {
        await using var host = await Sim.StartAsync(faults: FaultPlan.Parse(fault + ":500ms@every=3"));
        using var client = Sim.Client(host);
        await Sim.CompleteAsync(host, client, Sim.CompletionBody(Sim.Prompt(300, "first"), 2));
        await Sim.CompleteAsync(host, client, Sim.CompletionBody(Sim.Prompt(300, "second"), 2));
        var before = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        await Task.Delay(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAsync<HttpRequestException>(() => Sim.PostAsync(client, "/v1/completions", Sim.CompletionBody("hi", 2)));
        await Task.Delay(TimeSpan.FromSeconds(1));
        var after = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal(2, Sum(before, "vllm:request_success_total"));
        Assert.Equal(newProcess ? 0 : 2, Sum(after, "vllm:request_success_total"));
        Assert.Equal(newProcess ? 0 : Sum(before, "vllm:prompt_tokens_total"), Sum(after, "vllm:prompt_tokens_total"));
        Assert.Equal(newProcess, Sum(after, "process_start_time_seconds") > Sum(before, "process_start_time_seconds"));
        // The simulator's own cold-penalty counts span the restart, so a test can count what a user met across it.
        Assert.Equal(Sum(before, "sim:cold_penalties_total"), Sum(after, "sim:cold_penalties_total"));
    }

    [Fact]
    public async Task Slower_delays_request_n_by_n_steps_before_its_headers()
    {
        await using var host = await Sim.StartAsync(faults: FaultPlan.Parse("slower:300ms"));
        using var client = Sim.Client(host);

        var headers = new List<TimeSpan>();
        for (var i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await Sim.PostAsync(client, "/v1/completions", Sim.CompletionBody("hi", 2));
            headers.Add(clock.Elapsed);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        for (var n = 1; n <= 3; n++)
        {
            Assert.True(headers[n - 1] >= TimeSpan.FromMilliseconds(300 * n), $"request {n} answered after {headers[n - 1]}");
        }

        // The first request also pays connection set-up and JIT; from the second on each waits one step more (300 ms,
        // so a client stall of up to 200 ms in the second request cannot hide it).
        Assert.True(headers[2] - headers[1] >= TimeSpan.FromMilliseconds(100), $"requests did not get slower: {string.Join(", ", headers)}");
    }

    [Fact]
    public async Task Every_second_request_gets_429_with_retry_after()
    {
        await using var host = await Sim.StartAsync(faults: FaultPlan.Parse("429:7@every=2"));
        using var client = Sim.Client(host);

        using var first = await Sim.PostAsync(client, "/v1/completions", Sim.CompletionBody("hi", 2));
        using var second = await Sim.PostAsync(client, "/v1/completions", Sim.CompletionBody("hi", 2));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), second.Headers.RetryAfter!.Delta);
    }

    [Fact]
    public async Task Hang_before_headers_keeps_the_client_waiting_for_headers()
    {
        await using var host = await Sim.StartAsync(faults: FaultPlan.Parse("hang:forever@first=1"));
        using var client = Sim.Client(host);

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Sim.PostAsync(client, "/v1/completions", Sim.CompletionBody("hi", 2), cts.Token));
        using var next = await Sim.PostAsync(client, "/v1/completions", Sim.CompletionBody("hi", 2));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Stopping_the_simulator_ends_a_hung_request_promptly()
    {
        var host = await Sim.StartAsync(faults: FaultPlan.Parse("hang:forever"));
        using var client = Sim.Client(host);
        var pending = Sim.PostAsync(client, "/v1/completions", Sim.CompletionBody("hi", 2));
        await Task.Delay(300);

        var stopping = Stopwatch.StartNew();
        await host.StopAsync();

        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(4), $"stop took {stopping.Elapsed}");
        await Assert.ThrowsAnyAsync<Exception>(() => pending);
    }

    [Fact]
    public async Task Stall_midstream_stops_sending_then_continues_to_done()
    {
        await using var host = await Sim.StartAsync(faults: FaultPlan.Parse("stall:600ms@after=2"));
        using var client = Sim.Client(host);
        using var response = await Sim.PostAsync(client, "/v1/completions", Sim.CompletionBody("hi", 5));
        await using var stream = await response.Content.ReadAsStreamAsync();

        var arrivals = new List<(string Data, long At)>();
        await foreach (var item in SseParser.Create(stream).EnumerateAsync())
        {
            arrivals.Add((item.Data, Stopwatch.GetTimestamp()));
        }

        Assert.Equal(6, arrivals.Count);
        Assert.Equal("[DONE]", arrivals[^1].Data);
        var gapMs = Stopwatch.GetElapsedTime(arrivals[1].At, arrivals[2].At).TotalMilliseconds;
        Assert.True(gapMs >= 450, $"gap after the second token was only {gapMs} ms");
    }

    [Fact]
    public async Task Reset_midstream_breaks_the_connection_without_a_terminal_marker()
    {
        await using var host = await Sim.StartAsync(faults: FaultPlan.Parse("reset@after=2"));
        using var client = Sim.Client(host);

        var received = new List<string>();
        string? requestId = null;
        var error = await Record.ExceptionAsync(async () =>
        {
            using var response = await Sim.PostAsync(client, "/v1/completions", Sim.CompletionBody("hi", 8));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            requestId = Sim.Header(response, "x-request-id");
            await using var stream = await response.Content.ReadAsStreamAsync();
            await foreach (var item in SseParser.Create(stream).EnumerateAsync())
            {
                received.Add(item.Data);
            }
        });

        Assert.True(error is IOException or HttpRequestException, $"expected a transport error, got {error?.GetType().Name ?? "none"}");
        Assert.True(received.Count <= 2, $"{received.Count} events arrived before the reset");
        Assert.DoesNotContain("[DONE]", received);
        // The record is written once the server has dropped the connection, which the client may see first: wait for it.
        var record = await Sim.RecordAsync(host, requestId);
        Assert.Single(host.Log.Snapshot());
        Assert.Equal("abort", record.FinishReason);
        Assert.Equal("ResetMidstream", record.Fault);
    }

    [Fact]
    public async Task Malformed_chunk_is_an_unparseable_data_event()
    {
        await using var host = await Sim.StartAsync(faults: FaultPlan.Parse("malformed@after=1"));
        using var client = Sim.Client(host);

        var result = await Sim.StreamAsync(client, "/v1/completions", Sim.CompletionBody("hi", 3));

        Assert.Equal("{\"choices\":[{", result.Events[1]);
        Assert.ThrowsAny<JsonException>(() => JsonNode.Parse(result.Events[1]));
        Assert.Equal("[DONE]", result.Events[^1]);
    }

    [Fact]
    public async Task Error_after_200_sends_an_error_object_in_the_stream()
    {
        await using var host = await Sim.StartAsync(faults: FaultPlan.Parse("error-after-200@after=2"));
        using var client = Sim.Client(host);

        var result = await Sim.StreamAsync(client, "/v1/chat/completions", Sim.ChatBody("hi", 6));

        Assert.Equal(HttpStatusCode.OK, result.Response.StatusCode);
        var error = JsonNode.Parse(result.Events[^2])!["error"]!;
        Assert.Equal(500, (int)error["code"]!);
        Assert.False(string.IsNullOrEmpty((string?)error["message"]));
        Assert.Equal("[DONE]", result.Events[^1]);
        Assert.Equal(5, result.Events.Count); // role, 2 tokens, error, [DONE]
    }

    [Fact]
    public async Task Error_after_200_in_legacy_style_uses_the_flat_error_object()
    {
        await using var host = await Sim.StartAsync(Sim.Fast() with { ErrorStyle = ErrorStyles.Legacy }, faults: FaultPlan.Parse("error@after=0"));
        using var client = Sim.Client(host);

        var result = await Sim.StreamAsync(client, "/v1/completions", Sim.CompletionBody("hi", 3));

        var error = JsonNode.Parse(result.Events[0])!;
        Assert.Equal("error", (string?)error["object"]);
        Assert.Equal(500, (int)error["code"]!);
    }

    [Fact]
    public async Task Probability_selector_is_reproducible_for_a_seed()
    {
        var plan = FaultPlan.Parse("503@p=0.5;seed=7");
        var selector = plan.Rules[0].Selector;
        var hits = Enumerable.Range(1, 200).Where(i => selector.Matches(i)).ToList();

        Assert.InRange(hits.Count, 70, 130);
        Assert.Equal(hits, Enumerable.Range(1, 200).Where(i => FaultPlan.Parse("503@p=0.5;seed=7").Rules[0].Selector.Matches(i)));
        Assert.NotEqual(hits, Enumerable.Range(1, 200).Where(i => FaultPlan.Parse("503@p=0.5;seed=8").Rules[0].Selector.Matches(i)));
    }

    /// <summary>Every sample of <paramref name="name"/> (with or without labels) on a metrics page, added up.</summary>
    private static double Sum(string metrics, string name)
        => metrics.Split('\n')
            .Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
}
