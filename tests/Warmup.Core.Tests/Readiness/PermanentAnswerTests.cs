using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Warmup.Core.Readiness;
using Warmup.Core.Tests.TestSupport;

namespace Warmup.Core.Tests.Readiness;

/// <summary>
/// A loading server refuses connections or answers 503; a 404 or 401 on the readiness route never turns into "ready"
/// by waiting, so the gate stops at once and says what to fix.
/// </summary>
public sealed class PermanentAnswerTests
{
    private static readonly ReadinessGateOptions FastPolls = new()
    {
        InitialDelay = TimeSpan.FromMilliseconds(50),
        MaxDelay = TimeSpan.FromMilliseconds(200),
        AttemptTimeout = TimeSpan.FromSeconds(2),
    };

    private static readonly TimeSpan LongDeadline = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task A_base_url_ending_in_v1_fails_on_the_first_404_and_names_the_server_root()
    {
        // The server's /health exists; the gate asks for /v1/health because the base URL carries /v1.
        await using var server = await LoopbackServer.StartAsync(app => app.MapGet("/health", () => Results.Ok()));
        using var http = new HttpClient();
        var target = VllmLikeTestDialect.TargetAt(new Uri(server.BaseUrl, "v1"));

        var result = await new ReadinessGate(http, new FixedKeyAuthenticator("k"), TimeProvider.System, FastPolls)
            .WaitAsync(target, new Warmup.Core.Dialects.OpenAi.OpenAiDialect(), LongDeadline, CancellationToken.None);

        Assert.False(result.Ready);
        Assert.Equal(1, result.Attempts);
        Assert.Contains("GET /v1/health answered HTTP 404", result.ConfigurationError);
        Assert.Contains($"give the server root instead (e.g. http://127.0.0.1:{server.BaseUrl.Port})", result.ConfigurationError);
    }

    [Theory]
    [InlineData(401, "refuses the credentials")]
    [InlineData(403, "refuses the credentials")]
    [InlineData(404, "no such route")]
    public async Task A_permanent_status_ends_the_wait_after_one_poll(int status, string explanation)
    {
        await using var server = await LoopbackServer.StartAsync(app =>
            app.MapGet("/health", () => Results.Json(new { error = "nope" }, statusCode: status)));
        using var http = new HttpClient();
        var answers = new List<string>();

        var result = await new ReadinessGate(http, new FixedKeyAuthenticator("k"), TimeProvider.System, FastPolls)
            .WaitAsync(VllmLikeTestDialect.TargetAt(server.BaseUrl), new VllmLikeTestDialect(), LongDeadline, CancellationToken.None,
                new SynchronousProgress(answers));

        Assert.False(result.Ready);
        Assert.Equal(1, result.Attempts);
        Assert.True(result.TimeToReadyMs < 10_000, $"waited {result.TimeToReadyMs} ms");
        Assert.Contains($"HTTP {status} nope", result.ConfigurationError);
        Assert.Contains(explanation, result.ConfigurationError);
        Assert.Equal([$"HTTP {status} nope"], answers);
    }

    [Fact]
    public async Task A_503_is_still_loading_and_every_answer_is_reported_as_it_comes()
    {
        var polls = 0;
        await using var server = await LoopbackServer.StartAsync(app =>
            app.MapGet("/health", () => Interlocked.Increment(ref polls) <= 2 ? Results.StatusCode(503) : Results.Ok()));
        using var http = new HttpClient();
        var answers = new List<string>();

        var result = await new ReadinessGate(http, new FixedKeyAuthenticator("k"), TimeProvider.System, FastPolls)
            .WaitAsync(VllmLikeTestDialect.TargetAt(server.BaseUrl), new VllmLikeTestDialect(), LongDeadline, CancellationToken.None,
                new SynchronousProgress(answers));

        Assert.True(result.Ready);
        Assert.Null(result.ConfigurationError);
        Assert.Equal(["HTTP 503", "HTTP 503"], answers);
    }

    private sealed class SynchronousProgress(List<string> answers) : IProgress<string>
    {
        public void Report(string value) => answers.Add(value);
    }
}
