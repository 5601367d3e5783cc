using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Warmup.Core.Dialects.OpenAi;
using Warmup.Core.Probing;
using Warmup.Core.Telemetry;
using Warmup.Core.Tests.Dialects;
using Warmup.Core.Tests.TestSupport;

namespace Warmup.Core.Tests.Probing;

/// <summary>Every failure class, provoked over real loopback sockets, comes back as data, never as an exception.</summary>
public sealed class StreamingProbeOutcomeTests
{
    private const string Prompt = "SECRET-PROMPT-TEXT the quick brown fox";
    private const string Token = "data: {\"choices\":[{\"index\":0,\"text\":\" fox\"}]}\n\n";

    private readonly StreamingProbe _probe = new(WarmupHttp.CreateClient(), NoAuthentication.Instance);
    private readonly OpenAiDialect _dialect = new();

    [Fact]
    public async Task Nothing_listening_is_connection_refused()
    {
        var result = await Send(OpenAiServerInfoTests.ClosedPort());

        Assert.Equal(ProbeOutcome.ConnectionRefused, result.Outcome);
        Assert.Null(result.StatusCode);
        Assert.Null(result.HeadersMs);
        Assert.NotNull(result.Error);
    }

    [Fact]
    public async Task Reset_mid_stream_is_connection_reset_and_keeps_the_partial_timeline()
    {
        await using var server = new RawHttpServer(async (socket, _, _) =>
        {
            await RawHttpServer.SendAsync(socket, RawHttpServer.ChunkedSseHeaders + RawHttpServer.Chunk(Token));
            await Task.Delay(200);
            RawHttpServer.Reset(socket);
        });

        var result = await Send(server.BaseUrl);

        Assert.Equal(ProbeOutcome.ConnectionReset, result.Outcome);
        Assert.Equal(200, result.StatusCode);
        Assert.NotNull(result.TtftMs);
        Assert.Equal(1, result.OutputTokens);
    }

    [Fact]
    public async Task Error_status_whose_body_stalls_is_still_an_http_error_not_a_timeout()
    {
        await using var server = new RawHttpServer(async (socket, _, cancellationToken) =>
        {
            await RawHttpServer.SendAsync(socket, "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"error\":");
            await Task.Delay(TimeSpan.FromSeconds(20), cancellationToken);
        });

        var result = await Send(server.BaseUrl, TimeSpan.FromSeconds(15));

        Assert.Equal(ProbeOutcome.HttpError, result.Outcome);
        Assert.Equal(503, result.StatusCode);
    }

    [Fact]
    public async Task Reset_before_headers_is_connection_reset()
    {
        await using var server = new RawHttpServer((socket, _, _) =>
        {
            RawHttpServer.Reset(socket);
            return Task.CompletedTask;
        });

        var result = await Send(server.BaseUrl);

        Assert.Equal(ProbeOutcome.ConnectionReset, result.Outcome);
        Assert.Null(result.StatusCode);
    }

    [Fact]
    public async Task Chunked_body_cut_without_its_last_chunk_is_connection_reset()
    {
        await using var server = new RawHttpServer(async (socket, _, _) =>
        {
            await RawHttpServer.SendAsync(socket, RawHttpServer.ChunkedSseHeaders + RawHttpServer.Chunk(Token));
            socket.Shutdown(System.Net.Sockets.SocketShutdown.Both);
        });

        var result = await Send(server.BaseUrl);

        Assert.Equal(ProbeOutcome.ConnectionReset, result.Outcome);
        Assert.Equal(1, result.OutputTokens);
    }

    [Fact]
    public async Task Hang_before_headers_is_a_timeout_after_the_target_request_timeout()
    {
        await using var server = new RawHttpServer((_, _, stop) => Task.Delay(Timeout.Infinite, stop));
        var watch = Stopwatch.StartNew();

        var result = await Send(server.BaseUrl, TimeSpan.FromMilliseconds(400));

        Assert.Equal(ProbeOutcome.Timeout, result.Outcome);
        Assert.Null(result.StatusCode);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(380));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), "the per-request timeout did not fire");
    }

    [Fact]
    public async Task Stall_mid_stream_is_a_timeout_with_the_partial_timeline()
    {
        await using var server = new RawHttpServer(async (socket, _, stop) =>
        {
            await RawHttpServer.SendAsync(socket, RawHttpServer.ChunkedSseHeaders + RawHttpServer.Chunk(Token));
            await Task.Delay(Timeout.Infinite, stop);
        });

        var result = await Send(server.BaseUrl, TimeSpan.FromMilliseconds(500));

        Assert.Equal(ProbeOutcome.Timeout, result.Outcome);
        Assert.Equal(200, result.StatusCode);
        Assert.NotNull(result.TtftMs);
    }

    [Fact]
    public async Task Caller_cancellation_propagates_instead_of_becoming_a_result()
    {
        await using var server = new RawHttpServer((_, _, stop) => Task.Delay(Timeout.Infinite, stop));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var target = TestTargets.At(server.BaseUrl);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _probe.SendAsync(target, _dialect, new GenerationRequest(Prompt, 2), "run", cancel.Token));
    }

    [Fact]
    public async Task Body_ending_without_done_is_truncated()
    {
        await using var server = await Sse(Token + Token);

        var result = await Send(server.BaseUrl);

        Assert.Equal(ProbeOutcome.TruncatedStream, result.Outcome);
        Assert.Equal(2, result.OutputTokens);
        Assert.Contains("openai", result.Error);
    }

    [Fact]
    public async Task Error_object_after_200_is_a_stream_error_with_the_server_message()
    {
        await using var server = await Sse(Token + "data: {\"error\":{\"message\":\"CUDA out of memory\",\"type\":\"InternalServerError\",\"code\":500}}\n\ndata: [DONE]\n\n");

        var result = await Send(server.BaseUrl);

        Assert.Equal(ProbeOutcome.StreamError, result.Outcome);
        Assert.Equal(200, result.StatusCode);
        Assert.Equal("CUDA out of memory", result.Error);
    }

    [Fact]
    public async Task Old_llamacpp_error_field_after_200_is_a_stream_error()
    {
        await using var server = await Sse(Token + "error: {\"code\":500,\"message\":\"slot busy\",\"type\":\"server_error\"}\n\n");

        var result = await Send(server.BaseUrl);

        Assert.Equal(ProbeOutcome.StreamError, result.Outcome);
        Assert.Equal("slot busy", result.Error);
    }

    [Fact]
    public async Task Unparseable_chunk_is_malformed()
    {
        await using var server = await Sse(Token + "data: {\"choices\":[{\"text\":\n\ndata: [DONE]\n\n");

        var result = await Send(server.BaseUrl);

        Assert.Equal(ProbeOutcome.MalformedChunk, result.Outcome);
    }

    [Theory]
    [InlineData(500, """{"error":{"message":"engine dead","type":"InternalServerError","code":500}}""", "engine dead")]
    [InlineData(429, """{"object":"error","message":"too many requests","type":"RateLimitError","code":429}""", "too many requests")]
    [InlineData(503, """{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}""", "Loading model")]
    public async Task Non_2xx_is_an_http_error_with_status_and_server_message(int status, string body, string message)
    {
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body);
        });

        var result = await Send(server.BaseUrl);

        Assert.Equal(ProbeOutcome.HttpError, result.Outcome);
        Assert.Equal(status, result.StatusCode);
        Assert.StartsWith($"HTTP {status}", result.Error);
        Assert.Contains(message, result.Error);
        Assert.True(result.Error!.Length <= 200);
    }

    [Fact]
    public async Task Http_error_never_echoes_a_raw_body_that_repeats_the_request()
    {
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var echoed = await reader.ReadToEndAsync();
            context.Response.StatusCode = 400;
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync($"<html><body>Bad request: {echoed}</body></html>");
        });

        var result = await Send(server.BaseUrl);

        Assert.Equal(ProbeOutcome.HttpError, result.Outcome);
        Assert.DoesNotContain("SECRET-PROMPT-TEXT", result.Error);
    }

    [Fact]
    public async Task Each_request_emits_one_client_span_with_outcome_and_no_prompt()
    {
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.StatusCode = 500;
            await context.Response.WriteAsync("{\"error\":{\"message\":\"boom\"}}");
        });
        var target = TestTargets.At(server.BaseUrl);
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == WarmupTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("warmup.target") as string == target.Name)
                {
                    lock (spans)
                    {
                        spans.Add(activity);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        await _probe.SendAsync(target, _dialect, new GenerationRequest(Prompt, 2, PromptTokens: 8), "run", CancellationToken.None);

        var span = Assert.Single(spans);
        Assert.Equal("warmup.request", span.OperationName);
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("HttpError", span.GetTagItem("warmup.outcome"));
        Assert.Equal(500, span.GetTagItem("http.response.status_code"));
        Assert.Equal("127.0.0.1", span.GetTagItem("server.address"));
        Assert.Equal("POST", span.GetTagItem("http.request.method"));
        Assert.Equal(target.Model, span.GetTagItem("warmup.model"));
        Assert.Equal(8, span.GetTagItem("warmup.prompt_tokens"));
        Assert.Equal(0, span.GetTagItem("warmup.output_tokens"));
        Assert.DoesNotContain(span.TagObjects, tag => tag.Value?.ToString()?.Contains("SECRET-PROMPT-TEXT") == true);
    }

    private Task<ProbeResult> Send(Uri baseUrl, TimeSpan? timeout = null) =>
        _probe.SendAsync(TestTargets.At(baseUrl, requestTimeout: timeout), _dialect, new GenerationRequest(Prompt, 2), "run", CancellationToken.None);

    private static Task<LoopbackServer> Sse(string body) => LoopbackServer.StartAsync(async context =>
    {
        await SseResponse.StartAsync(context.Response);
        await SseResponse.WriteAsync(context.Response, body);
    });
}
