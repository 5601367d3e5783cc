using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json.Nodes;

namespace Warmup.Simulator.Tests.Api;

public sealed class StreamShapeTests : IAsyncLifetime
{
    private SimulatorHost _host = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await Sim.StartAsync();
        _client = Sim.Client(_host);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Completions_stream_has_finish_reason_on_last_token_then_usage_with_empty_choices_then_done()
    {
        var result = await Sim.StreamAsync(_client, "/v1/completions", Sim.CompletionBody("The capital of France is", maxTokens: 4, includeUsage: true));

        Assert.Equal("text/event-stream; charset=utf-8", result.Response.Content.Headers.ContentType!.ToString());
        Assert.Equal(6, result.Events.Count);
        Assert.Equal("[DONE]", result.Events[^1]);
        var json = result.Json;
        for (var i = 0; i < 4; i++)
        {
            var choice = json[i]["choices"]![0]!;
            Assert.Equal("text_completion", (string?)json[i]["object"]);
            Assert.False(string.IsNullOrEmpty((string?)choice["text"]));
            Assert.Equal(i == 3 ? "length" : null, (string?)choice["finish_reason"]);
        }

        var usage = json[4];
        Assert.Empty(usage["choices"]!.AsArray());
        Assert.Equal(5, (int)usage["usage"]!["prompt_tokens"]!);
        Assert.Equal(4, (int)usage["usage"]!["completion_tokens"]!);
        Assert.Equal(9, (int)usage["usage"]!["total_tokens"]!);
        Assert.All(json, j => Assert.Equal(result.RequestId, (string?)j["id"]));
    }

    [Fact]
    public async Task Usage_chunk_is_sent_only_when_asked()
    {
        var without = await Sim.StreamAsync(_client, "/v1/completions", Sim.CompletionBody("hello there", maxTokens: 3));
        var withFalse = await Sim.StreamAsync(_client, "/v1/chat/completions", Sim.ChatBody("hello there", maxTokens: 3, includeUsage: false));

        Assert.Equal(4, without.Events.Count);
        Assert.DoesNotContain(without.Json, j => j.ContainsKey("usage"));
        Assert.Equal(5, withFalse.Events.Count);
        Assert.DoesNotContain(withFalse.Json, j => j.ContainsKey("usage"));
    }

    [Fact]
    public async Task Chat_stream_opens_with_role_only_chunk()
    {
        var result = await Sim.StreamAsync(_client, "/v1/chat/completions", Sim.ChatBody("Say hello", maxTokens: 4, includeUsage: true));

        Assert.Equal(7, result.Events.Count);
        var json = result.Json;
        var role = json[0]["choices"]![0]!;
        Assert.Equal("assistant", (string?)role["delta"]!["role"]);
        Assert.Equal("", (string?)role["delta"]!["content"]);
        Assert.Null((string?)role["finish_reason"]);
        for (var i = 1; i <= 4; i++)
        {
            var choice = json[i]["choices"]![0]!;
            Assert.False(choice["delta"]!.AsObject().ContainsKey("role"));
            Assert.Equal(i == 4 ? "length" : null, (string?)choice["finish_reason"]);
        }

        Assert.Empty(json[5]["choices"]!.AsArray());
        Assert.Equal(4, (int)json[5]["usage"]!["completion_tokens"]!);
        Assert.Equal("[DONE]", result.Events[^1]);
    }

    [Theory]
    [InlineData("/v1/completions", "v1-completions.include-usage.stream.txt")]
    [InlineData("/v1/chat/completions", "v1-chat-completions.include-usage.stream.txt")]
    public async Task Event_shapes_match_the_vllm_transcript(string path, string transcript) =>
        await AssertShapesMatchAsync(path, FixturePaths.Transcript("vllm", transcript));

    [SkippableTheory]
    [InlineData("/v1/completions", "v1-completions.include-usage.stream.txt")]
    [InlineData("/v1/chat/completions", "v1-chat-completions.include-usage.stream.txt")]
    public async Task Published_event_shapes_match_the_vllm_transcript(string path, string transcript) =>
        await AssertShapesMatchAsync(path, FixturePaths.PublishedTranscript("vllm", transcript));

    private async Task AssertShapesMatchAsync(string path, string transcriptPath)
    {
        var expected = await ReadFixtureEventsAsync(transcriptPath);
        var body = path.Contains("chat") ? Sim.ChatBody("Say hello", 4, includeUsage: true) : Sim.CompletionBody("The capital of France is", 4, includeUsage: true);
        var actual = await Sim.StreamAsync(_client, path, body);

        Assert.Equal(expected.Count, actual.Events.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(Shape(expected[i]), Shape(actual.Events[i]));
        }
    }

    [Fact]
    public async Task Raw_body_uses_data_space_framing_with_blank_line_terminators()
    {
        using var response = await Sim.PostAsync(_client, "/v1/completions", Sim.CompletionBody("hi", 2));
        var raw = await response.Content.ReadAsStringAsync();

        var events = raw.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith("data: [DONE]\n\n", raw);
        Assert.All(events, e => Assert.StartsWith("data: ", e));
        Assert.Equal(3, events.Length);
    }

    [Fact]
    public async Task Non_streaming_completion_and_chat_return_one_json_with_usage()
    {
        using var completion = await Sim.PostAsync(_client, "/v1/completions", Sim.CompletionBody("one two three", 5, stream: false));
        using var chat = await Sim.PostAsync(_client, "/v1/chat/completions", Sim.ChatBody("one two three", 5, stream: false));

        var c = JsonNode.Parse(await completion.Content.ReadAsStringAsync())!;
        var h = JsonNode.Parse(await chat.Content.ReadAsStringAsync())!;
        Assert.Equal("application/json", completion.Content.Headers.ContentType!.MediaType);
        Assert.Equal("text_completion", (string?)c["object"]);
        Assert.Equal("length", (string?)c["choices"]![0]!["finish_reason"]);
        Assert.Equal(5, (int)c["usage"]!["completion_tokens"]!);
        Assert.Equal(5, SimTokenizer.Count((string)c["choices"]![0]!["text"]!));
        Assert.Equal("chat.completion", (string?)h["object"]);
        Assert.Equal("assistant", (string?)h["choices"]![0]!["message"]!["role"]);
        Assert.Equal(5, (int)h["usage"]!["completion_tokens"]!);
    }

    [Fact]
    public async Task Legacy_generate_streams_cumulative_ndjson_with_the_prompt()
    {
        var body = new JsonObject { ["prompt"] = "The capital of France is", ["stream"] = "True", ["max_tokens"] = 3, ["ignore_eos"] = true };
        using var response = await Sim.PostAsync(_client, "/generate", body);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(3, lines.Length);
        string? previous = null;
        foreach (var line in lines)
        {
            Assert.StartsWith("{\"text\": [", line);
            var text = (string)JsonNode.Parse(line)!["text"]![0]!;
            Assert.StartsWith(previous ?? "The capital of France is", text);
            Assert.True(text.Length > (previous ?? "The capital of France is").Length);
            previous = text;
        }
    }

    [Fact]
    public async Task Ignore_eos_gives_exactly_max_tokens()
    {
        var profile = Sim.Fast() with { EosProbability = 1 };
        await using var host = await Sim.StartAsync(profile);
        using var client = Sim.Client(host);

        var forced = await Sim.StreamAsync(client, "/v1/completions", Sim.CompletionBody("go", maxTokens: 12, includeUsage: true));

        Assert.Equal(12, (int)forced.Json[^1]["usage"]!["completion_tokens"]!);
        Assert.Equal("length", (string?)forced.Json[^2]["choices"]![0]!["finish_reason"]);
    }

    [Fact]
    public async Task Without_ignore_eos_the_stream_may_stop_at_eos_but_not_before_min_tokens()
    {
        var profile = Sim.Fast() with { EosProbability = 1 };
        await using var host = await Sim.StartAsync(profile);
        using var client = Sim.Client(host);
        var body = Sim.CompletionBody("go", maxTokens: 12, includeUsage: true);
        body["ignore_eos"] = false;
        body["min_tokens"] = 5;

        var result = await Sim.StreamAsync(client, "/v1/completions", body);

        // Five forced tokens, then the EOS token: counted in usage, empty in text, finish_reason "stop".
        var last = result.Json[^2]["choices"]![0]!;
        Assert.Equal("stop", (string?)last["finish_reason"]);
        Assert.Equal("", (string?)last["text"]);
        Assert.Equal(6, (int)result.Json[^1]["usage"]!["completion_tokens"]!);
        Assert.Equal(5, result.Json.Count(j => j["choices"]!.AsArray().Count == 1 && (string?)j["choices"]![0]!["text"] != ""));
    }

    private static async Task<List<string>> ReadFixtureEventsAsync(string path)
    {
        await using var stream = File.OpenRead(path);
        var events = new List<string>();
        await foreach (var item in SseParser.Create(stream).EnumerateAsync())
        {
            events.Add(item.Data);
        }

        return events;
    }

    /// <summary>Field names, order and JSON kinds, with values dropped except nulls and [DONE].</summary>
    private static string Shape(string data)
    {
        if (data == "[DONE]")
        {
            return data;
        }

        var sb = new StringBuilder();
        Walk(JsonNode.Parse(data), sb);
        return sb.ToString();

        static void Walk(JsonNode? node, StringBuilder sb)
        {
            switch (node)
            {
                case null:
                    sb.Append("null");
                    break;
                case JsonObject obj:
                    sb.Append('{');
                    foreach (var (key, value) in obj)
                    {
                        sb.Append(key).Append(':');
                        Walk(value, sb);
                        sb.Append(',');
                    }

                    sb.Append('}');
                    break;
                case JsonArray arr:
                    sb.Append('[');
                    foreach (var item in arr)
                    {
                        Walk(item, sb);
                    }

                    sb.Append(']');
                    break;
                default:
                    sb.Append(node.GetValueKind());
                    break;
            }
        }
    }
}
