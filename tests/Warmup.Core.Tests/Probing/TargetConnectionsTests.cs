using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Warmup.Core.Dialects.OpenAi;
using Warmup.Core.Probing;
using Warmup.Core.Targets;
using Warmup.Core.Tests.TestSupport;

namespace Warmup.Core.Tests.Probing;

/// <summary>
/// A burst finds the connections it needs open, counted on the server as it accepts them: whatever the readiness
/// requests that opened them happened to share, and whatever the server closed since.
/// </summary>
public sealed class TargetConnectionsTests
{
    private static readonly OpenAiDialect Dialect = new();
    private static readonly GenerationRequest Hi = new("hi", 1, PromptTokens: 2);

    private static Task<LoopbackServer> ServerAsync(AcceptedConnections accepted) => LoopbackServer.StartAsync(app =>
    {
        // Empty and at once, as vLLM answers it: the client has the connection back with the headers.
        app.MapGet("/health", () => Results.Ok());
        // Answers, then closes the connection it came on.
        app.MapGet("/bye", (HttpContext c) =>
        {
            c.Response.Headers.Connection = "close";
            return Results.Ok();
        });
        app.MapPost("/v1/completions", async (HttpContext c) =>
        {
            await SseResponse.StartAsync(c.Response);
            await SseResponse.WriteAsync(c.Response, "data: {\"choices\":[{\"index\":0,\"text\":\" ok\",\"finish_reason\":\"length\"}]}\n\ndata: [DONE]\n\n");
        });
    }, accepted.Middleware);

    [Fact]
    public async Task A_readiness_request_sent_late_finds_no_connection_of_its_round_free_and_opens_its_own()
    {
        var accepted = new AcceptedConnections();
        await using var server = await ServerAsync(accepted);
        var answered = new CountsAnswers();
        using var http = WarmupHttp.CreateClient(answered);
        // The sixth readiness request leaves late, as a busy machine may send it: once the first five were answered
        // and their connections free again. Here they are not answered before it: each holds its connection until
        // the sixth has one, so it leaves after 2 s.
        var late = new HoldsSixthReadinessRequest(answered.FiveAnswered.WaitAsync(TimeSpan.FromSeconds(2)));
        var probe = new StreamingProbe(http, late);
        var target = TestTargets.At(server.BaseUrl);

        await probe.PrepareAsync(target, Dialect, 6, CancellationToken.None);

        Assert.Equal(6, late.Readiness);
        Assert.True(await accepted.ReachAsync(6), $"{accepted.Count} connections open for a burst of 6");
        var burst = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => probe.SendAsync(target, Dialect, Hi, "run", CancellationToken.None)));
        Assert.All(burst, r => Assert.Equal(ProbeOutcome.Ok, r.Outcome));
        Assert.Equal(6, accepted.Count);
    }

    [Fact]
    public async Task Connections_still_being_opened_when_the_readiness_requests_are_answered_are_waited_for()
    {
        var accepted = new AcceptedConnections();
        await using var server = await ServerAsync(accepted);
        var started = 0;
        var connected = 0;
        var handler = WarmupHttp.CreateHandler(new OpenConnections(async (endPoint, cancellationToken) =>
        {
            // The first connection at once, the others later: the first one answers every readiness request while
            // the others are still being opened.
            if (Interlocked.Increment(ref started) > 1)
            {
                await Task.Delay(200, cancellationToken);
            }

            var socket = await OpenConnections.ConnectSocketAsync(endPoint, cancellationToken);
            Interlocked.Increment(ref connected);
            return socket;
        }));
        using var http = WarmupHttp.CreateClient(handler);
        var probe = new StreamingProbe(http, NoAuthentication.Instance);
        var target = TestTargets.At(server.BaseUrl);

        await probe.PrepareAsync(target, Dialect, 3, CancellationToken.None);

        Assert.Equal(3, Volatile.Read(ref connected));
        var burst = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => probe.SendAsync(target, Dialect, Hi, "run", CancellationToken.None)));
        Assert.All(burst, r => Assert.Equal(ProbeOutcome.Ok, r.Outcome));
        Assert.Equal(3, Volatile.Read(ref started));
        Assert.Equal(3, accepted.Count);
    }

    [Fact]
    public async Task A_connection_the_server_closed_after_its_answer_is_opened_again_before_the_next_burst()
    {
        var accepted = new AcceptedConnections();
        await using var server = await ServerAsync(accepted);
        using var http = WarmupHttp.CreateClient();
        var probe = new StreamingProbe(http, NoAuthentication.Instance);
        var target = TestTargets.At(server.BaseUrl);
        await probe.PrepareAsync(target, Dialect, 2, CancellationToken.None);
        Assert.True(await accepted.ReachAsync(2));

        using (var bye = await http.GetAsync(new Uri(server.BaseUrl, "bye")))
        {
            Assert.True(bye.IsSuccessStatusCode);
        }

        await AssertReopenedBeforeTheBurstAsync(http, probe, target, accepted);
    }

    [Fact]
    public async Task An_idle_connection_the_server_dropped_leaves_the_count_and_is_opened_again_before_the_next_burst()
    {
        var accepted = new AcceptedConnections();
        await using var server = await ServerAsync(accepted);
        using var http = WarmupHttp.CreateClient();
        var probe = new StreamingProbe(http, NoAuthentication.Instance);
        var target = TestTargets.At(server.BaseUrl);
        await probe.PrepareAsync(target, Dialect, 2, CancellationToken.None);
        Assert.True(await accepted.ReachAsync(2));

        accepted.CloseOne();

        // Nothing is sent on it: the pool's read-ahead on the idle connection sees the end.
        await AssertReopenedBeforeTheBurstAsync(http, probe, target, accepted);
    }

    /// <summary>Of two open connections one is gone: the count says so, and the next burst of two finds a new one open.</summary>
    private static async Task AssertReopenedBeforeTheBurstAsync(HttpClient http, StreamingProbe probe, WarmupTarget target, AcceptedConnections accepted)
    {
        Assert.True(await AcceptedConnections.Eventually(() => OpenConnections.Of(http)!.Count(target.BaseUrl, TimeSpan.MaxValue) == 1));
        await probe.PrepareAsync(target, Dialect, 2, CancellationToken.None);

        Assert.True(await accepted.ReachAsync(3), $"{accepted.Count} connections accepted, one of the two gone");
        var burst = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => probe.SendAsync(target, Dialect, Hi, "run", CancellationToken.None)));
        Assert.All(burst, r => Assert.Equal(ProbeOutcome.Ok, r.Outcome));
        Assert.Equal(3, accepted.Count);
    }

    [Fact]
    public async Task A_client_built_elsewhere_still_gets_its_connection_opened_before_the_first_request()
    {
        var accepted = new AcceptedConnections();
        await using var server = await ServerAsync(accepted);
        using var http = new HttpClient(new SocketsHttpHandler());
        var probe = new StreamingProbe(http, NoAuthentication.Instance);
        var target = TestTargets.At(server.BaseUrl);

        var result = await probe.SendAsync(target, Dialect, Hi, "run", CancellationToken.None);

        // Its connections cannot be counted: one readiness request opened the one the request then used.
        Assert.Null(OpenConnections.Of(http));
        Assert.Equal(ProbeOutcome.Ok, result.Outcome);
        Assert.Equal(1, accepted.Count);
    }

    [Fact]
    public async Task A_target_that_refuses_connections_gets_one_round_of_readiness_requests_not_one_before_each_request()
    {
        // A port nothing listens on: every connection is refused.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var counted = new CountsReadinessRequests();
        using var http = WarmupHttp.CreateClient();
        var probe = new StreamingProbe(http, counted);
        var target = TestTargets.At(new Uri($"http://127.0.0.1:{port}/"));

        for (var i = 0; i < 3; i++)
        {
            var result = await probe.SendAsync(target, Dialect, Hi, "run", CancellationToken.None);
            Assert.Equal(ProbeOutcome.ConnectionRefused, result.Outcome);
        }

        // One round, refused; the refused requests after it did not try again.
        Assert.Equal(1, counted.Readiness);
    }

    /// <summary>Completes <see cref="FiveAnswered"/> once five responses came back.</summary>
    private sealed class CountsAnswers() : DelegatingHandler(WarmupHttp.CreateHandler())
    {
        private readonly TaskCompletionSource _fiveAnswered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _answered;

        public Task FiveAnswered => _fiveAnswered.Task;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (Interlocked.Increment(ref _answered) == 5)
            {
                _fiveAnswered.SetResult();
            }

            return response;
        }
    }

    /// <summary>Sends the sixth readiness request once <paramref name="release"/> ended, however it ended.</summary>
    private sealed class HoldsSixthReadinessRequest(Task release) : IRequestAuthenticator
    {
        private int _readiness;

        public int Readiness => Volatile.Read(ref _readiness);

        public async ValueTask AuthenticateAsync(WarmupTarget target, HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri?.AbsolutePath == "/health" && Interlocked.Increment(ref _readiness) == 6)
            {
                await release.ContinueWith(_ => { }, TaskScheduler.Default);
                // The answer's content read too: its connection is back in the pool.
                await Task.Delay(50, cancellationToken);
            }
        }
    }

    private sealed class CountsReadinessRequests : IRequestAuthenticator
    {
        private int _readiness;

        public int Readiness => Volatile.Read(ref _readiness);

        public ValueTask AuthenticateAsync(WarmupTarget target, HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri?.AbsolutePath == "/health")
            {
                Interlocked.Increment(ref _readiness);
            }

            return ValueTask.CompletedTask;
        }
    }
}
