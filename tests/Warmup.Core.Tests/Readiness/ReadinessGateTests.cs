using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Warmup.Core.Readiness;
using Warmup.Core.Tests.TestSupport;

namespace Warmup.Core.Tests.Readiness;

public sealed class ReadinessGateTests
{
    private static readonly ReadinessGateOptions FastPolls = new()
    {
        InitialDelay = TimeSpan.FromMilliseconds(50),
        MaxDelay = TimeSpan.FromMilliseconds(200),
        AttemptTimeout = TimeSpan.FromSeconds(2),
    };

    private static readonly string LoadingBody = File.ReadAllText(FixturePaths.Transcript("llamacpp", "health-loading.json"));
    private static readonly string OkBody = File.ReadAllText(FixturePaths.Transcript("llamacpp", "health-ok.json"));

    private static ReadinessGate Gate(HttpClient http, ReadinessGateOptions? options = null)
        => new(http, new FixedKeyAuthenticator("test-key"), TimeProvider.System, options ?? FastPolls);

    [Fact]
    public async Task Opens_once_a_bound_but_not_yet_listening_port_starts_listening()
    {
        var listenDelay = TimeSpan.FromSeconds(1);
        using var server = new BoundNotListeningServer();
        using var http = new HttpClient();

        var waiting = Gate(http).WaitAsync(VllmLikeTestDialect.TargetAt(server.BaseUrl), new VllmLikeTestDialect(), TimeSpan.FromSeconds(30), CancellationToken.None);
        server.ListenAfter(listenDelay); // after the gate's clock started, so the gate cannot have waited less
        var result = await waiting;

        Assert.True(result.Ready, result.LastError);
        Assert.True(result.Attempts > 1, $"attempts: {result.Attempts}");
        // 20 ms of slack only for timer granularity: Task.Delay may complete a tick early.
        Assert.True(result.TimeToReadyMs >= listenDelay.TotalMilliseconds - 20, $"ready after {result.TimeToReadyMs} ms");
        Assert.Equal("connection refused", result.LastError);
        // One successful poll, then the one context-window query (this server's empty body gives no number).
        Assert.Equal(["GET /health HTTP/1.1", "GET /v1/models HTTP/1.1"], server.Served);
        Assert.Null(result.MaxContext);
    }

    [Fact]
    public async Task Polls_a_refused_port_often_and_an_answering_one_about_once_a_second()
    {
        var listenDelay = TimeSpan.FromSeconds(3);
        using var server = new BoundNotListeningServer();
        using var http = new HttpClient();
        // Answers back off to 1 s; refusals are polled every 50 ms (the defaults).
        var options = FastPolls with
        {
            InitialDelay = ReadinessGateOptions.Default.InitialDelay,
            MaxDelay = ReadinessGateOptions.Default.MaxDelay,
            RefusedPollInterval = ReadinessGateOptions.Default.RefusedPollInterval,
        };

        var waiting = Gate(http, options).WaitAsync(VllmLikeTestDialect.TargetAt(server.BaseUrl), new VllmLikeTestDialect(), TimeSpan.FromSeconds(30), CancellationToken.None);
        server.ListenAfter(listenDelay);
        var result = await waiting;

        Assert.True(result.Ready, result.LastError);
        // Exponential backoff from 250 ms to 1 s would have polled at most 6 times in those 3 seconds; 50 ms refusal polls
        // make ~60. A loaded CI machine was seen stretching each refused poll to 250 ms (4 a second), so the bound sits
        // just above what backoff could reach, not near 60.
        Assert.True(result.Attempts >= 9, $"attempts: {result.Attempts}");
    }

    [Fact]
    public async Task Treats_llamacpp_503_loading_model_as_not_yet_and_opens_on_200()
    {
        var polls = 0;
        var authorized = 0;
        await using var server = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/health", (HttpContext context) =>
            {
                if (context.Request.Headers.Authorization == "Bearer test-key")
                {
                    Interlocked.Increment(ref authorized);
                }

                return Interlocked.Increment(ref polls) <= 3
                    ? Results.Content(LoadingBody, "application/json; charset=utf-8", statusCode: 503)
                    : Results.Content(OkBody, "application/json; charset=utf-8");
            });
            app.MapGet("/v1/models", () => Results.Json(new { @object = "list", data = new[] { new { id = "test-model", max_model_len = 8192 } } }));
        });
        using var http = new HttpClient();

        var result = await Gate(http).WaitAsync(VllmLikeTestDialect.TargetAt(server.BaseUrl), new VllmLikeTestDialect(), TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.True(result.Ready);
        Assert.Equal(4, result.Attempts);
        Assert.Equal(4, authorized);
        Assert.Equal("HTTP 503 Loading model", result.LastError);
        Assert.Equal(8192, result.MaxContext);
    }

    [Fact]
    public async Task A_server_that_never_becomes_ready_ends_at_the_deadline_without_throwing()
    {
        await using var server = await LoopbackServer.StartAsync(app =>
            app.MapGet("/health", () => Results.Content(LoadingBody, "application/json; charset=utf-8", statusCode: 503)));
        using var http = new HttpClient();
        var deadline = TimeSpan.FromSeconds(1.5);

        var clock = Stopwatch.StartNew();
        var result = await Gate(http).WaitAsync(VllmLikeTestDialect.TargetAt(server.BaseUrl), new VllmLikeTestDialect(), deadline, CancellationToken.None);
        clock.Stop();

        Assert.False(result.Ready);
        Assert.Equal("HTTP 503 Loading model", result.LastError);
        Assert.True(result.Attempts > 2, $"attempts: {result.Attempts}");
        Assert.Null(result.MaxContext);
        Assert.InRange(clock.Elapsed.TotalSeconds, deadline.TotalSeconds * 0.9, deadline.TotalSeconds + 8);
        Assert.InRange(result.TimeToReadyMs, deadline.TotalMilliseconds * 0.9, deadline.TotalMilliseconds + 8000);
    }

    [Fact]
    public async Task A_port_that_never_listens_reports_connection_refused()
    {
        using var server = new BoundNotListeningServer();
        server.ListenAfter(null);
        using var http = new HttpClient();

        var result = await Gate(http).WaitAsync(VllmLikeTestDialect.TargetAt(server.BaseUrl), new VllmLikeTestDialect(), TimeSpan.FromSeconds(1), CancellationToken.None);

        Assert.False(result.Ready);
        Assert.Equal("connection refused", result.LastError);
        Assert.True(result.Attempts > 1);
    }

    [Fact]
    public async Task A_poll_that_hangs_is_cut_by_the_attempt_timeout_and_retried()
    {
        var polls = 0;
        await using var server = await LoopbackServer.StartAsync(app =>
            app.MapGet("/health", async (CancellationToken aborted) =>
            {
                if (Interlocked.Increment(ref polls) <= 2)
                {
                    await Task.Delay(Timeout.Infinite, aborted);
                }

                return Results.Ok();
            }));
        using var http = new HttpClient();
        var options = FastPolls with { AttemptTimeout = TimeSpan.FromMilliseconds(500) };

        var result = await Gate(http, options).WaitAsync(VllmLikeTestDialect.TargetAt(server.BaseUrl), new VllmLikeTestDialect(), TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.True(result.Ready);
        Assert.Equal(3, result.Attempts);
        Assert.Equal("no answer within 0.5 s", result.LastError);
    }

    [Fact]
    public async Task A_missing_context_window_leaves_MaxContext_null_but_the_gate_open()
    {
        await using var server = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/health", () => Results.Ok());
            app.MapGet("/v1/models", () => Results.StatusCode(500));
        });
        using var http = new HttpClient();

        var result = await Gate(http).WaitAsync(VllmLikeTestDialect.TargetAt(server.BaseUrl), new VllmLikeTestDialect(), TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.True(result.Ready);
        Assert.Equal(1, result.Attempts);
        Assert.Null(result.LastError);
        Assert.Null(result.MaxContext);
    }

    [Fact]
    public async Task Caller_cancellation_propagates_promptly()
    {
        await using var server = await LoopbackServer.StartAsync(app =>
            app.MapGet("/health", () => Results.Content(LoadingBody, "application/json", statusCode: 503)));
        using var http = new HttpClient();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Gate(http).WaitAsync(VllmLikeTestDialect.TargetAt(server.BaseUrl), new VllmLikeTestDialect(), TimeSpan.FromMinutes(5), cancel.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task Rejects_a_deadline_that_is_not_positive(int seconds)
    {
        using var http = new HttpClient();
        var target = VllmLikeTestDialect.TargetAt(new Uri("http://127.0.0.1:9/"));

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            Gate(http).WaitAsync(target, new VllmLikeTestDialect(), TimeSpan.FromSeconds(seconds), CancellationToken.None));

        Assert.Equal("deadline", error.ParamName);
    }

    [Fact]
    public async Task Backoff_spaces_polls_out_rather_than_hammering()
    {
        var polls = 0;
        // Only this gate's polls count: another test still polling a port it was given earlier (a refused-connection
        // test polls every 50 ms) can reach this server once the port is reused.
        var caller = Guid.NewGuid().ToString("n");
        await using var server = await LoopbackServer.StartAsync(app =>
            app.MapGet("/health", (HttpRequest request) =>
            {
                if (request.Headers["x-test-caller"] == caller)
                {
                    Interlocked.Increment(ref polls);
                }

                return Results.StatusCode(503);
            }));
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Add("x-test-caller", caller);
        // 100 ms doubling to a 400 ms cap: about 8 polls in 2.5 s. A loop without backoff would make hundreds.
        var options = FastPolls with { InitialDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(400) };

        var result = await Gate(http, options).WaitAsync(VllmLikeTestDialect.TargetAt(server.BaseUrl), new VllmLikeTestDialect(), TimeSpan.FromSeconds(2.5), CancellationToken.None);

        Assert.False(result.Ready);
        Assert.Equal("HTTP 503", result.LastError);
        Assert.Equal(polls, result.Attempts);
        Assert.InRange(result.Attempts, 3, 30);
    }
}
