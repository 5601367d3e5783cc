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
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(300);
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
        // One gap alone can look short when the chunk before it reached the client late (scheduling on a busy machine);
        // together they cannot be much shorter than the server's two sleeps between the first and the last token.
        Assert.All(result.InterTokenMs, gap => Assert.True(gap > 0, $"gap {gap} ms"));
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
        Assert.True(result.TtftMs > result.HeadersMs);
    }

    private static string Chat(object delta) =>
        "data: " + JsonSerializer.Serialize(new { @object = "chat.completion.chunk", choices = new[] { new { index = 0, delta, finish_reason = (string?)null } } }) + "\n\n";

    private static string Completion(string text) =>
        "data: " + JsonSerializer.Serialize(new { @object = "text_completion", choices = new[] { new { index = 0, text, finish_reason = (string?)null } } }) + "\n\n";
}
