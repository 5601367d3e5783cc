using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Warmup.Core.Dialects;
using Warmup.Core.Probing;
using Warmup.Core.Targets;
using Warmup.Core.Tests.TestSupport;

namespace Warmup.Core.Tests.Probing;

/// <summary>The probe's timeline over real loopback HTTP. Delays are lower bounds only; no tight timing is asserted.</summary>
public sealed class StreamingProbeTimelineTests
{
    // Long enough that half of it is far above a first request's own cost in a test process on a loaded machine
    // (the loopback server's first response, the client's first run of its stack), which some assertions bound by it.
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(600);
    private static readonly TimeSpan Gap = TimeSpan.FromMilliseconds(120);

    [Fact]
    public async Task Ttft_waits_for_the_first_content_token_not_headers_comment_or_role_chunk()
    {
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            await SseResponse.StartAsync(context.Response);
            await Task.Delay(Step);
            await SseResponse.WriteAsync(context.Response, ": keep-alive\n\n");
            await Task.Delay(Step);
            await SseResponse.WriteAsync(context.Response, Chat(new { role = "assistant", content = "" }));
            await Task.Delay(Step);
            foreach (var token in new[] { "Hello", "!", " How" })
            {
                await SseResponse.WriteAsync(context.Response, Chat(new { content = token }));
                await Task.Delay(Gap);
            }

            await SseResponse.WriteAsync(context.Response, "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":42,\"completion_tokens\":7}}\n\ndata: [DONE]\n\n");
        });
        var probe = new StreamingProbe(WarmupHttp.CreateClient(), NoAuthentication.Instance);

        var result = await probe.SendAsync(TestTargets.At(server.BaseUrl, OpenAiApis.Chat), new Warmup.Core.Dialects.OpenAi.OpenAiDialect(), new GenerationRequest("hi", 3, PromptTokens: 5), "run-1", CancellationToken.None);

        var contentDelay = (3 * Step).TotalMilliseconds;
        Assert.Equal(ProbeOutcome.Ok, result.Outcome);
        Assert.Equal(200, result.StatusCode);
        Assert.True(result.HeadersMs < contentDelay, $"headers at {result.HeadersMs} ms");
        Assert.True(result.TtftMs >= contentDelay * 0.95, $"TTFT {result.TtftMs} ms stopped before the first content token");
        Assert.Equal(2, result.InterTokenMs.Count);
        // One gap alone can look short, even 0 when two chunks reached the client in one read (scheduling on a busy
        // machine); together they cannot be much shorter than the server's two sleeps between the first and the last token.
        Assert.All(result.InterTokenMs, gap => Assert.True(gap >= 0, $"gap {gap} ms"));
        Assert.True(result.InterTokenMs.Sum() >= Gap.TotalMilliseconds, $"gaps {string.Join(", ", result.InterTokenMs)} ms");
        Assert.True(result.E2eMs > result.TtftMs);
        Assert.True(result.EndMs >= result.E2eMs);
        Assert.Equal((42, 7, true), (result.PromptTokens, result.OutputTokens, result.TokensFromServer));
        Assert.NotNull(result.FirstTokenTimestamp);
        Assert.Null(result.Error);
    }

    [Fact]
    public async Task Without_usage_tokens_are_counted_client_side_and_prompt_tokens_come_from_the_request()
    {
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            await SseResponse.StartAsync(context.Response);
            await SseResponse.WriteAsync(context.Response, Completion("a") + Completion("b") + Completion("") + "data: [DONE]\n\n");
        });
        var probe = new StreamingProbe(WarmupHttp.CreateClient(), NoAuthentication.Instance);

        var result = await probe.SendAsync(TestTargets.At(server.BaseUrl), new Warmup.Core.Dialects.OpenAi.OpenAiDialect(), new GenerationRequest("hi", 2, PromptTokens: 9), "run-1", CancellationToken.None);

        Assert.Equal(ProbeOutcome.Ok, result.Outcome);
        Assert.Equal((9, 2, false), (result.PromptTokens, result.OutputTokens, result.TokensFromServer));
    }

    [Fact]
    public async Task Zero_token_stream_that_ends_properly_is_ok_with_no_ttft()
    {
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            await SseResponse.StartAsync(context.Response);
            await SseResponse.WriteAsync(context.Response, Completion("") + "data: [DONE]\n\n");
        });
        var probe = new StreamingProbe(WarmupHttp.CreateClient(), NoAuthentication.Instance);

        var result = await probe.SendAsync(TestTargets.At(server.BaseUrl), new Warmup.Core.Dialects.OpenAi.OpenAiDialect(), new GenerationRequest("hi", 2), "run-1", CancellationToken.None);

        Assert.Equal(ProbeOutcome.Ok, result.Outcome);
        Assert.Equal(0, result.OutputTokens);
        Assert.Null(result.TtftMs);
        Assert.Null(result.E2eMs);
        Assert.NotNull(result.EndMs);
    }

    [Fact]
    public async Task Request_carries_marking_header_identity_encoding_event_stream_accept_and_the_api_key()
    {
        Dictionary<string, string>? headers = null;
        JsonDocument? body = null;
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            body = await JsonDocument.ParseAsync(context.Request.Body);
            await SseResponse.StartAsync(context.Response);
            await SseResponse.WriteAsync(context.Response, Completion("a") + "data: [DONE]\n\n");
        });
        var target = TestTargets.At(server.BaseUrl) with { Auth = new TargetAuth { ApiKeySetting = "TARGET_KEY" } };
        var authenticator = new EnvironmentApiKeyAuthenticator(name => name == "TARGET_KEY" ? "sk-test-123" : null);
        var probe = new StreamingProbe(WarmupHttp.CreateClient(), authenticator);

        var result = await probe.SendAsync(target, new Warmup.Core.Dialects.OpenAi.OpenAiDialect(), new GenerationRequest("hi", 1), "corr-42", CancellationToken.None);

        Assert.Equal(ProbeOutcome.Ok, result.Outcome);
        Assert.Equal("corr-42", headers![WarmupTraffic.HeaderName]);
        Assert.Equal("identity", headers["Accept-Encoding"]);
        Assert.Equal("text/event-stream", headers["Accept"]);
        Assert.Equal("Bearer sk-test-123", headers["Authorization"]);
        Assert.Equal(WarmupTraffic.UserField, body!.RootElement.GetProperty("user").GetString());
    }

    [Fact]
    public async Task Legacy_generate_stream_counts_growing_objects_client_side()
    {
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            await SseResponse.StartAsync(context.Response, "application/json");
            foreach (var line in File.ReadLines(FixturePaths.Transcript("vllm", "legacy-generate.stream.ndjson.txt")))
            {
                await SseResponse.WriteAsync(context.Response, line + "\n");
                await Task.Delay(50);
            }
        });
        var probe = new StreamingProbe(WarmupHttp.CreateClient(), NoAuthentication.Instance);
        var target = TestTargets.At(server.BaseUrl, dialect: DialectNames.VllmGenerate);

        var result = await probe.SendAsync(target, DialectRegistry.Default.Get(target.Dialect), new GenerationRequest("The capital of France is", 3, PromptTokens: 6), "run-1", CancellationToken.None);

        Assert.Equal(ProbeOutcome.Ok, result.Outcome);
        Assert.Equal((6, 3, false), (result.PromptTokens, result.OutputTokens, result.TokensFromServer));
        Assert.Equal(2, result.InterTokenMs.Count);
        // The first object is written right behind the headers: one read may bring both, and then both share its stamp.
        Assert.True(result.TtftMs >= result.HeadersMs);
    }

    [Fact]
    public async Task Client_work_before_the_request_reaches_the_wire_is_not_counted_as_the_servers()
    {
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            await SseResponse.StartAsync(context.Response);
            await SseResponse.WriteAsync(context.Response, Completion("a") + Completion("b") + "data: [DONE]\n\n");
        });
        // Client-side work between the probe handing the request over and its first byte on the connection: a cold
        // HTTP stack, a slow authenticating handler. The server answers at once.
        var probe = new StreamingProbe(WarmupHttp.CreateClient(new SlowClient(WarmupHttp.CreateHandler()) { BeforeSending = Step }), NoAuthentication.Instance);

        var result = await probe.SendAsync(TestTargets.At(server.BaseUrl), new Warmup.Core.Dialects.OpenAi.OpenAiDialect(), new GenerationRequest("hi", 2), "run-1", CancellationToken.None);

        Assert.Equal(ProbeOutcome.Ok, result.Outcome);
        Assert.True(result.TtftMs < Step.TotalMilliseconds / 2, $"TTFT {result.TtftMs} ms counts the client's {Step.TotalMilliseconds} ms before sending");
        Assert.True(result.HeadersMs <= result.TtftMs);
    }

    [Fact]
    public async Task Client_work_after_the_bytes_arrived_is_not_counted_as_the_servers()
    {
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            await SseResponse.StartAsync(context.Response);
            await SseResponse.WriteAsync(context.Response, Completion("a"));
            await Task.Delay(Gap);
            await SseResponse.WriteAsync(context.Response, Completion("b") + "data: [DONE]\n\n");
        });
        // Each read of the body is handed to the parser late, as a cold decoder or a stalled client thread would.
        var probe = new StreamingProbe(WarmupHttp.CreateClient(new SlowClient(WarmupHttp.CreateHandler()) { AfterEachRead = Step }), NoAuthentication.Instance);

        var result = await probe.SendAsync(TestTargets.At(server.BaseUrl), new Warmup.Core.Dialects.OpenAi.OpenAiDialect(), new GenerationRequest("hi", 2), "run-1", CancellationToken.None);

        Assert.Equal(ProbeOutcome.Ok, result.Outcome);
        Assert.True(result.TtftMs < Step.TotalMilliseconds / 2, $"TTFT {result.TtftMs} ms counts the client's {Step.TotalMilliseconds} ms after the read");
        // The gap is the server's (120 ms) and the client's late hand-off of the first token, not both late reads.
        Assert.Single(result.InterTokenMs);
        Assert.True(result.InterTokenMs[0] >= Gap.TotalMilliseconds * 0.9, $"gap {result.InterTokenMs[0]} ms");
    }

    [Fact]
    public async Task A_client_whose_connections_are_not_ours_is_still_timed_around_the_http_stack()
    {
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            await SseResponse.StartAsync(context.Response);
            await SseResponse.WriteAsync(context.Response, Completion("a") + Completion("b") + "data: [DONE]\n\n");
        });
        using var hostClient = new HttpClient(new SlowClient(new SocketsHttpHandler()) { BeforeSending = Step });
        var probe = new StreamingProbe(hostClient, NoAuthentication.Instance);

        var result = await probe.SendAsync(TestTargets.At(server.BaseUrl), new Warmup.Core.Dialects.OpenAi.OpenAiDialect(), new GenerationRequest("hi", 2), "run-1", CancellationToken.None);

        Assert.Equal(ProbeOutcome.Ok, result.Outcome);
        Assert.True(result.TtftMs >= Step.TotalMilliseconds * 0.95, $"TTFT {result.TtftMs} ms");
    }

    private static string Chat(object delta) =>
        "data: " + JsonSerializer.Serialize(new { @object = "chat.completion.chunk", choices = new[] { new { index = 0, delta, finish_reason = (string?)null } } }) + "\n\n";

    private static string Completion(string text) =>
        "data: " + JsonSerializer.Serialize(new { @object = "text_completion", choices = new[] { new { index = 0, text, finish_reason = (string?)null } } }) + "\n\n";

    /// <summary>Client-side delays around the connection: before the request is handed on, and after each body read.</summary>
    private sealed class SlowClient(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public TimeSpan BeforeSending { get; init; }

        public TimeSpan AfterEachRead { get; init; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(BeforeSending, cancellationToken);
            var response = await base.SendAsync(request, cancellationToken);
            if (AfterEachRead > TimeSpan.Zero)
            {
                var content = new StreamContent(new LateReads(await response.Content.ReadAsStreamAsync(cancellationToken), AfterEachRead));
                foreach (var header in response.Content.Headers)
                {
                    content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }

                response.Content = content;
            }

            return response;
        }
    }

    private sealed class LateReads(Stream inner, TimeSpan late) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            await Task.Delay(late, cancellationToken);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
