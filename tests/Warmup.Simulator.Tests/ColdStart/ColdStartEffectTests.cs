namespace Warmup.Simulator.Tests.ColdStart;

/// <summary>
/// Each cold-start effect, observed through the x-sim-penalties header and the simulator's log of
/// modelled times (wall-clock times on a shared 2-core machine are too noisy for tight checks).
/// </summary>
public sealed class ColdStartEffectTests
{
    [Fact]
    public async Task First_request_in_a_new_bucket_pays_jit_and_the_second_in_that_bucket_does_not()
    {
        await using var host = await Sim.StartAsync(Sim.Fast(timeScale: 0.2));
        using var client = Sim.Client(host);
        await Sim.CompleteAsync(host, client, Sim.CompletionBody(Sim.Prompt(100, "warm"), 4));

        var first = await Sim.StreamAsync(client, "/v1/completions", Sim.CompletionBody(Sim.Prompt(450, "b1"), 4));
        var second = await Sim.StreamAsync(client, "/v1/completions", Sim.CompletionBody(Sim.Prompt(480, "b2"), 4));
        var firstRecord = await Sim.RecordAsync(host, first.RequestId);
        var secondRecord = await Sim.RecordAsync(host, second.RequestId);

        Assert.Contains("jit:512=", first.Penalties);
        Assert.Equal("none", second.Penalties);
        Assert.Equal(512, firstRecord.Bucket);
        Assert.Equal(512, secondRecord.Bucket);
        Assert.True(firstRecord.ModelledTtftMs > 3 * secondRecord.ModelledTtftMs,
            $"cold {firstRecord.ModelledTtftMs} ms vs warm {secondRecord.ModelledTtftMs} ms");
        Assert.Contains(512, host.State.CompiledBuckets);
    }

    [Fact]
    public async Task First_request_ttft_is_about_ten_times_steady_state_on_the_default_profile()
    {
        // TimeScale 0.2: steady ~29 ms, so a few ms of engine wake-up noise cannot move the ratio much.
        var profile = SimulatorProfile.Default with { TimeScale = 0.2, StartupDelayMs = 0 };
        await using var host = await Sim.StartAsync(profile);
        using var client = Sim.Client(host);

        var cold = await Sim.CompleteAsync(host, client, Sim.CompletionBody(Sim.Prompt(500, "c0"), 16));
        var steady = new List<double>();
        for (var i = 1; i <= 5; i++)
        {
            var warm = await Sim.CompleteAsync(host, client, Sim.CompletionBody(Sim.Prompt(500, $"c{i}"), 16));
            Assert.Equal(0, warm.ColdPenaltyMs);
            steady.Add(warm.ModelledTtftMs!.Value);
        }

        var ratio = cold.ModelledTtftMs!.Value / steady.Order().ElementAt(2);
        Assert.InRange(ratio, 5, 20);
        Assert.Contains(cold.Penalties, p => p.Name == "jit:512");
        Assert.Contains(cold.Penalties, p => p.Name == "graph:1");
        Assert.Contains(cold.Penalties, p => p.Name.StartsWith("kv:", StringComparison.Ordinal));
        Assert.Contains(cold.Penalties, p => p.Name == "init");
    }

    [Fact]
    public async Task A_concurrency_burst_reaching_a_new_capture_size_stalls_and_a_repeat_does_not()
    {
        // TimeScale 0.2: each stream lives ~100 ms, long enough for all 8 to overlap.
        await using var host = await Sim.StartAsync(Sim.Fast(timeScale: 0.2));
        using var client = Sim.Client(host);
        await Sim.CompleteAsync(host, client, Sim.CompletionBody(Sim.Prompt(50, "solo"), 4));

        async Task<IReadOnlyList<RequestRecord>> BurstAsync(string tag)
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
                Sim.StreamAsync(client, "/v1/completions", Sim.CompletionBody(Sim.Prompt(50, $"{tag}{i}"), 24))));
            return await Task.WhenAll(results.Select(r => Sim.RecordAsync(host, r.RequestId)));
        }

        var first = await BurstAsync("x");
        var capturedAfterFirst = host.State.CapturedGraphSizes;
        Assert.Contains(8, capturedAfterFirst);
        var second = await BurstAsync("y");

        var graphPenalties = first.SelectMany(r => r.Penalties).Where(p => p.Name.StartsWith("graph:", StringComparison.Ordinal)).Select(p => p.Name).Distinct().ToList();
        Assert.NotEmpty(graphPenalties);
        Assert.DoesNotContain("graph:1", graphPenalties);

        // How the 8 arrivals interleave decides which smaller sizes (2, 4) the first burst passed through;
        // a size captured once is never charged again.
        Assert.DoesNotContain(second.SelectMany(r => r.Penalties), p => capturedAfterFirst.Any(size => p.Name == $"graph:{size}"));
    }

    [Fact]
    public async Task Concurrency_changes_the_modelled_inter_token_latency()
    {
        await using var host = await Sim.StartAsync(Sim.Fast(timeScale: 0.05) with { BatchSlowdownPerSeq = 0.05 });
        using var client = Sim.Client(host);
        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Sim.CompleteAsync(host, client, Sim.CompletionBody(Sim.Prompt(30, $"p{i}"), 4))));

        var alone = await Sim.CompleteAsync(host, client, Sim.CompletionBody(Sim.Prompt(30, "alone"), 20));
        var crowd = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Sim.CompleteAsync(host, client, Sim.CompletionBody(Sim.Prompt(30, $"q{i}"), 20))));

        static double MedianItl(RequestRecord r) => r.Chunks.Zip(r.Chunks.Skip(1), (a, b) => (b.DueUnixNs - a.DueUnixNs) / 1e6).Order().ElementAt((r.Chunks.Count - 1) / 2);
        var crowdItl = crowd.Select(MedianItl).Order().ElementAt(8);
        Assert.True(crowdItl > 1.3 * MedianItl(alone), $"ITL alone {MedianItl(alone)} ms, with 16 running {crowdItl} ms");
    }

    [Fact]
    public async Task First_request_to_each_adapter_pays_its_load_penalty_once()
    {
        await using var host = await Sim.StartAsync(Sim.Fast("lora", timeScale: 0.05));
        using var client = Sim.Client(host);
        await Sim.CompleteAsync(host, client, Sim.CompletionBody(Sim.Prompt(60, "base"), 4));

        var first = await Sim.StreamAsync(client, "/v1/completions", Sim.CompletionBody(Sim.Prompt(60, "l1"), 4, model: "sql-lora"));
        var second = await Sim.StreamAsync(client, "/v1/completions", Sim.CompletionBody(Sim.Prompt(60, "l2"), 4, model: "sql-lora"));
        var other = await Sim.StreamAsync(client, "/v1/chat/completions", Sim.ChatBody("hello", 4, model: "code-lora"));
        var baseAgain = await Sim.StreamAsync(client, "/v1/completions", Sim.CompletionBody(Sim.Prompt(60, "b3"), 4));

        Assert.Equal("lora:sql-lora=40ms", first.Penalties);
        Assert.Equal("none", second.Penalties);
        Assert.Contains("lora:code-lora=75ms", other.Penalties);
        Assert.Equal("none", baseAgain.Penalties);
        Assert.Equal("sql-lora", (await Sim.RecordAsync(host, first.RequestId)).Adapter);
    }

    [Fact]
    public async Task After_idle_the_next_request_pays_the_clock_ramp()
    {
        // idleAfterMs 10000 x TimeScale 0.05 = 500 ms of real idleness.
        await using var host = await Sim.StartAsync(Sim.Fast(timeScale: 0.05) with { IdleAfterMs = 10000, IdleRampMs = 500 });
        using var client = Sim.Client(host);
        await Sim.CompleteAsync(host, client, Sim.CompletionBody(Sim.Prompt(60, "i0"), 4));

        var busy = await Sim.StreamAsync(client, "/v1/completions", Sim.CompletionBody(Sim.Prompt(60, "i1"), 4));
        await Task.Delay(1200);
        var afterIdle = await Sim.StreamAsync(client, "/v1/completions", Sim.CompletionBody(Sim.Prompt(60, "i2"), 4));
        var rightAfter = await Sim.StreamAsync(client, "/v1/completions", Sim.CompletionBody(Sim.Prompt(60, "i3"), 4));

        Assert.Equal("none", busy.Penalties);
        Assert.Equal("idle=25ms", afterIdle.Penalties);
        Assert.Equal("none", rightAfter.Penalties);
    }

    [Fact]
    public async Task Repeated_unsalted_prompt_hits_the_prefix_cache_and_looks_falsely_warm_while_a_salted_one_does_not()
    {
        // Real time: a modelled TTFT includes the engine's wake-up, which at a fast time scale is a large share of it.
        await using var host = await Sim.StartAsync(Sim.Fast(timeScale: 1.0) with { EnablePromptTokensDetails = true });
        using var client = Sim.Client(host);
        var prompt = Sim.Prompt(1000, "pc");
        // Warm both buckets involved: 1024 for a full prefill, 128 for the few tokens left after a cache hit.
        await Sim.CompleteAsync(host, client, Sim.CompletionBody(Sim.Prompt(1000, "other"), 4));
        await Sim.CompleteAsync(host, client, Sim.CompletionBody(Sim.Prompt(60, "small"), 4));

        var fresh = await Sim.CompleteAsync(host, client, Sim.CompletionBody(prompt, 4));
        var repeated = await Sim.CompleteAsync(host, client, Sim.CompletionBody(prompt, 4));
        var salted = Sim.CompletionBody(prompt, 4, includeUsage: true);
        salted["cache_salt"] = "probe-1";
        var saltedResult = await Sim.StreamAsync(client, "/v1/completions", salted);
        var saltedRecord = await Sim.RecordAsync(host, saltedResult.RequestId);

        Assert.Equal(0, fresh.CachedPromptTokens);
        Assert.Equal(992, repeated.CachedPromptTokens);
        Assert.Equal(0, saltedRecord.CachedPromptTokens);
        Assert.Equal(0, (int)saltedResult.Json[^1]["usage"]!["prompt_tokens_details"]!["cached_tokens"]!);
        Assert.True(repeated.ModelledTtftMs < fresh.ModelledTtftMs / 3, $"repeated {repeated.ModelledTtftMs} ms vs fresh {fresh.ModelledTtftMs} ms");
        Assert.True(saltedRecord.ModelledTtftMs > 2 * repeated.ModelledTtftMs, $"salted {saltedRecord.ModelledTtftMs} ms vs repeated {repeated.ModelledTtftMs} ms");
    }

    [Fact]
    public async Task Many_buckets_profile_compiles_per_512_tokens()
    {
        await using var host = await Sim.StartAsync(Sim.Fast("many-buckets", timeScale: 0.02));
        using var client = Sim.Client(host);

        var a = await Sim.CompleteAsync(host, client, Sim.CompletionBody(Sim.Prompt(600, "mb1"), 2));
        var b = await Sim.CompleteAsync(host, client, Sim.CompletionBody(Sim.Prompt(1100, "mb2"), 2));
        var c = await Sim.CompleteAsync(host, client, Sim.CompletionBody(Sim.Prompt(1000, "mb3"), 2));

        Assert.Equal(1024, a.Bucket);
        Assert.Equal(1536, b.Bucket);
        Assert.Contains(b.Penalties, p => p.Name == "jit:1536");
        Assert.DoesNotContain(c.Penalties, p => p.Name.StartsWith("jit:", StringComparison.Ordinal));
        Assert.Equal(16, host.Profile.PrefillBuckets.Count);
    }
}
