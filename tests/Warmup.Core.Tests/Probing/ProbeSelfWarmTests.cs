using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Warmup.Core.Dialects.OpenAi;
using Warmup.Core.Probing;
using Warmup.Core.Tests.TestSupport;

namespace Warmup.Core.Tests.Probing;

/// <summary>The probe is ready before it measures: its own path warmed once per process, the target's connections open.</summary>
public sealed class ProbeSelfWarmTests
{
    private static async Task<LoopbackServer> CountingServerAsync(
        ConcurrentQueue<(string Route, string Connection)> seen, AcceptedConnections? accepted = null)
        => await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/health", (HttpContext c) =>
            {
                seen.Enqueue(("health", c.Connection.Id));
                return Results.Ok();
            });
            app.MapPost("/v1/completions", async (HttpContext c) =>
            {
                seen.Enqueue(("generate", c.Connection.Id));
                await SseResponse.StartAsync(c.Response);
                await SseResponse.WriteAsync(c.Response, "data: {\"choices\":[{\"index\":0,\"text\":\" ok\",\"finish_reason\":\"length\"}]}\n\ndata: [DONE]\n\n");
            });
        }, accepted?.Middleware);

    [Fact]
    public async Task The_first_request_to_a_target_finds_its_connection_opened_by_a_readiness_request()
    {
        var seen = new ConcurrentQueue<(string Route, string Connection)>();
        await using var server = await CountingServerAsync(seen);
        var probe = new StreamingProbe(WarmupHttp.CreateClient(), NoAuthentication.Instance);
        var target = TestTargets.At(server.BaseUrl);

        for (var i = 0; i < 3; i++)
        {
            var result = await probe.SendAsync(target, new OpenAiDialect(), new GenerationRequest("hi", 1, PromptTokens: 2), "run", CancellationToken.None);
            Assert.Equal(ProbeOutcome.Ok, result.Outcome);
        }

        // One readiness request opened the connection; the three measured requests reused it without another.
        var requests = seen.ToList();
        Assert.Equal(["health", "generate", "generate", "generate"], requests.Select(r => r.Route));
        Assert.Single(requests.Select(r => r.Connection).Distinct());
        Assert.True(ProbeSelfWarm.EnsureAsync().IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_burst_larger_than_the_open_pool_opens_its_connections_before_it_is_measured()
    {
        var seen = new ConcurrentQueue<(string Route, string Connection)>();
        var accepted = new AcceptedConnections();
        await using var server = await CountingServerAsync(seen, accepted);
        var probe = new StreamingProbe(WarmupHttp.CreateClient(), NoAuthentication.Instance);
        var target = TestTargets.At(server.BaseUrl);
        var dialect = new OpenAiDialect();

        await probe.PrepareAsync(target, dialect, 6, CancellationToken.None);
        var opened = await accepted.ReachAsync(6);
        var burst = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            probe.SendAsync(target, dialect, new GenerationRequest("hi", 1, PromptTokens: 2), "run", CancellationToken.None)));

        // Readiness requests, six at once until the pool counted six connections open (a fast empty answer frees its
        // connection for a later request of the same six); the burst of six found them open.
        Assert.True(opened, $"{accepted.Count} connections opened for a burst of 6");
        Assert.True(seen.Count(r => r.Route == "health") >= 6);
        Assert.All(burst, r => Assert.Equal(ProbeOutcome.Ok, r.Outcome));
        Assert.Equal(6, accepted.Count);
        Assert.Equal(6, seen.Count(r => r.Route == "generate"));
    }

    [Fact]
    public async Task The_self_warm_waits_for_its_first_tokens_as_a_measured_request_does_and_starts_the_stall_meter()
    {
        var results = await ProbeSelfWarm.RunAsync();

        // Both OpenAI routes, each answer a whole stream with its tokens counted from the usage chunk.
        Assert.Equal(2 * ProbeSelfWarm.Rounds, results.Count);
        Assert.All(results, r =>
        {
            Assert.Equal(ProbeOutcome.Ok, r.Outcome);
            Assert.Equal(2, r.OutputTokens);
            // Every answer pauses (2 ms) before its first token: the probe waited on the socket for it.
            Assert.True(r.TtftMs >= 1.5, $"first token after {r.TtftMs} ms");
        });
        // Headers before the first token (uvicorn) and with it: at least one answer had its headers read and then
        // waited for the first chunk, the wait a measured request meets; at least one had both at once.
        Assert.Contains(results, r => r.TtftMs - r.HeadersMs >= 1);
        Assert.Contains(results, r => r.TtftMs - r.HeadersMs < 1);
        // The meter that runs beside measured requests was started here, not by the first of them.
        Assert.True(ClientStallMeter.Shared.IsRunning);
    }
}
