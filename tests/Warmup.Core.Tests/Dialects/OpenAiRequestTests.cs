using System.Text.Json;
using Warmup.Core.Dialects.OpenAi;
using Warmup.Core.Probing;
using Warmup.Core.Targets;
using Warmup.Core.Tests.TestSupport;

namespace Warmup.Core.Tests.Dialects;

public sealed class OpenAiRequestTests
{
    private readonly OpenAiDialect _dialect = new();

    [Fact]
    public async Task Completions_body_forces_exact_length_streams_with_usage_and_marks_warmup_traffic()
    {
        var target = TestTargets.Local();
        using var message = _dialect.CreateGenerationRequest(target, new GenerationRequest("Hello \"world\" é", 7));
        using var body = await ReadJsonAsync(message);
        var root = body.RootElement;

        Assert.Equal(HttpMethod.Post, message.Method);
        Assert.Equal("http://127.0.0.1:8000/v1/completions", message.RequestUri!.ToString());
        Assert.Equal("text/event-stream", Assert.Single(message.Headers.Accept).MediaType);
        Assert.Equal("application/json", message.Content!.Headers.ContentType!.MediaType);
        Assert.Equal(target.Model, root.GetProperty("model").GetString());
        Assert.Equal("Hello \"world\" é", root.GetProperty("prompt").GetString());
        Assert.Equal(7, root.GetProperty("max_tokens").GetInt32());
        Assert.Equal(7, root.GetProperty("min_tokens").GetInt32());
        Assert.True(root.GetProperty("ignore_eos").GetBoolean());
        Assert.Equal(0, root.GetProperty("temperature").GetDouble());
        Assert.True(root.GetProperty("stream").GetBoolean());
        Assert.True(root.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.Equal(WarmupTraffic.UserField, root.GetProperty("user").GetString());
        Assert.False(root.TryGetProperty("messages", out _));
    }

    [Fact]
    public async Task Chat_body_sends_one_user_message_and_addresses_the_adapter()
    {
        var target = TestTargets.Local(OpenAiApis.Chat);
        using var message = _dialect.CreateGenerationRequest(target, new GenerationRequest("Say hello", 4, Adapter: "sql-lora"));
        using var body = await ReadJsonAsync(message);
        var root = body.RootElement;

        Assert.Equal("http://127.0.0.1:8000/v1/chat/completions", message.RequestUri!.ToString());
        Assert.Equal("sql-lora", root.GetProperty("model").GetString());
        var only = Assert.Single(root.GetProperty("messages").EnumerateArray().ToList());
        Assert.Equal("user", only.GetProperty("role").GetString());
        Assert.Equal("Say hello", only.GetProperty("content").GetString());
        Assert.False(root.TryGetProperty("prompt", out _));
        Assert.Equal(4, root.GetProperty("max_tokens").GetInt32());
    }

    [Theory]
    [InlineData("http://gateway.local/team-a/llama", "http://gateway.local/team-a/llama/v1/completions")]
    [InlineData("http://gateway.local/team-a/llama/", "http://gateway.local/team-a/llama/v1/completions")]
    [InlineData("http://127.0.0.1:8000", "http://127.0.0.1:8000/v1/completions")]
    public void Base_url_path_prefixes_are_kept(string baseUrl, string expected)
    {
        using var message = _dialect.CreateGenerationRequest(TestTargets.At(new Uri(baseUrl)), new GenerationRequest("x", 1));

        Assert.Equal(expected, message.RequestUri!.ToString());
    }

    [Fact]
    public void Unknown_api_is_a_clear_error()
    {
        var target = TestTargets.Local() with { Api = "responses" };

        var error = Assert.Throws<ArgumentException>(() => _dialect.CreateGenerationRequest(target, new GenerationRequest("x", 1)));

        Assert.Contains("'responses'", error.Message);
        Assert.Contains("completions", error.Message);
        Assert.Contains("chat", error.Message);
    }

    [Fact]
    public void Readiness_is_get_health_and_only_200_is_ready()
    {
        using var request = _dialect.CreateReadinessRequest(TestTargets.Local());
        using var ok = new HttpResponseMessage(System.Net.HttpStatusCode.OK);
        using var loading = new HttpResponseMessage(System.Net.HttpStatusCode.ServiceUnavailable);

        Assert.Equal((HttpMethod.Get, "http://127.0.0.1:8000/health"), (request.Method, request.RequestUri!.ToString()));
        Assert.True(_dialect.IsReady(ok));
        Assert.False(_dialect.IsReady(loading));
    }

    private static async Task<JsonDocument> ReadJsonAsync(HttpRequestMessage message) =>
        JsonDocument.Parse(await message.Content!.ReadAsByteArrayAsync());
}
