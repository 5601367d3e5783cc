using System.Text;
using Warmup.Core.Dialects;
using Warmup.Core.Dialects.OpenAi;
using Warmup.Core.Tests.TestSupport;
using static Warmup.Core.Dialects.StreamEventKind;

namespace Warmup.Core.Tests.Dialects;

public sealed class OpenAiStreamParsingTests
{
    private readonly OpenAiDialect _dialect = new();

    public static TheoryData<int> ReadSizes => [int.MaxValue, 1, 7, 61];

    [Theory]
    [MemberData(nameof(ReadSizes))]
    public async Task Vllm_completions_transcript_gives_four_tokens_then_usage_then_done(int readSize)
    {
        var events = await StreamEvents.ParseAsync(_dialect, FixturePaths.TranscriptBytes("vllm", "v1-completions.include-usage.stream.txt"), readSize);

        Assert.Equal([Token, Token, Token, Token, Usage, Done], events.Kinds());
        Assert.Equal((9, 4), (events[4].PromptTokens, events[4].CompletionTokens));
    }

    [Theory]
    [MemberData(nameof(ReadSizes))]
    public async Task Vllm_chat_transcript_role_only_chunk_is_not_a_token(int readSize)
    {
        var events = await StreamEvents.ParseAsync(_dialect, FixturePaths.TranscriptBytes("vllm", "v1-chat-completions.include-usage.stream.txt"), readSize);

        Assert.Equal([NoContent, Token, Token, Token, Token, Usage, Done], events.Kinds());
        Assert.Equal((27, 4), (events[5].PromptTokens, events[5].CompletionTokens));
    }

    [Theory]
    [InlineData("v1-completions.stream.txt", 3, 11)]
    [InlineData("v1-chat-completions.stream.txt", 4, 21)]
    public async Task Llamacpp_transcripts_usage_rides_on_the_empty_finish_chunk(string file, int tokens, int promptTokens) =>
        await AssertUsageOnFinishChunkAsync(FixturePaths.Transcript("llamacpp", file), tokens, promptTokens);

    [SkippableTheory]
    [InlineData("probe-v1-completions.stream.txt", 4, 12)]
    [InlineData("v1-completions.stream.txt", 4, 6)]
    [InlineData("probe-v1-chat-completions.stream.txt", 4, 39)]
    [InlineData("probe-v1-chat-completions.include-usage.stream.txt", 4, 39)]
    [InlineData("v1-chat-completions.stream.txt", 3, 29)]
    public async Task Published_live_llamacpp_transcripts_usage_rides_on_the_empty_finish_chunk(string file, int tokens, int promptTokens) =>
        await AssertUsageOnFinishChunkAsync(FixturePaths.PublishedTranscript("llamacpp", file), tokens, promptTokens);

    [SkippableTheory]
    [InlineData("v1-completions.include-usage.stream.txt", 4, 6)]
    [InlineData("v1-chat-completions.include-usage.stream.txt", 4, 38)]
    public async Task Published_vllm_transcripts_end_with_usage_then_done(string file, int tokens, int promptTokens)
    {
        var events = await StreamEvents.ParseAsync(_dialect, await File.ReadAllBytesAsync(FixturePaths.PublishedTranscript("vllm", file)), readSize: 7);

        Assert.Equal(tokens, events.Kinds().Count(k => k == Token));
        Assert.Equal([Usage, Done], events.Kinds().TakeLast(2));
        Assert.Equal((promptTokens, tokens), (events[^2].PromptTokens, events[^2].CompletionTokens));
    }

    private async Task AssertUsageOnFinishChunkAsync(string path, int tokens, int promptTokens)
    {
        var events = await StreamEvents.ParseAsync(_dialect, await File.ReadAllBytesAsync(path), readSize: 13);

        Assert.Equal([.. Enumerable.Repeat(Token, tokens), Usage, Done], events.Kinds());
        Assert.Equal((promptTokens, tokens), (events[tokens].PromptTokens, events[tokens].CompletionTokens));
    }

    [Fact]
    public async Task Tgi_messages_api_without_space_after_data_and_role_on_every_chunk()
    {
        // protocols.md §3.4 (transcribed, not live): "data:" without a space, role repeated with each token,
        // an empty-content finish chunk, then a usage chunk and "data:[DONE]".
        const string body =
            "data:{\"object\":\"chat.completion.chunk\",\"id\":\"\",\"created\":1760000000,\"model\":\"m\",\"system_fingerprint\":\"3.3.6-native\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hello\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n" +
            "data:{\"object\":\"chat.completion.chunk\",\"id\":\"\",\"created\":1760000000,\"model\":\"m\",\"system_fingerprint\":\"3.3.6-native\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"!\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n" +
            "data:{\"object\":\"chat.completion.chunk\",\"id\":\"\",\"created\":1760000000,\"model\":\"m\",\"system_fingerprint\":\"3.3.6-native\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}\n\n" +
            "data:{\"object\":\"chat.completion.chunk\",\"id\":\"\",\"created\":1760000000,\"model\":\"m\",\"system_fingerprint\":\"3.3.6-native\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}\n\n" +
            "data:[DONE]\n\n";

        var events = await Parse(body);

        Assert.Equal([Token, Token, NoContent, Usage, Done], events.Kinds());
        Assert.Equal(3, events[3].CompletionTokens);
    }

    [Theory]
    [InlineData("""{"choices":[{"index":0,"delta":{"reasoning_content":"Let me think"}}]}""")]
    [InlineData("""{"choices":[{"index":0,"delta":{"reasoning":"Let me think"}}]}""")]
    [InlineData("""{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c1","type":"function","function":{"name":"f","arguments":""}}]}}]}""")]
    [InlineData("""{"choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"}}]}""")]
    [InlineData("""{"choices":[{"index":0,"text":" Paris","logprobs":null,"finish_reason":null,"stop_reason":null,"token_ids":null}]}""")]
    public async Task Content_reasoning_and_tool_call_deltas_are_tokens(string chunk)
    {
        var events = await Parse($"data: {chunk}\n\n");

        Assert.Equal(Token, Assert.Single(events).Kind);
        Assert.Equal(1, events[0].TokenCount);
    }

    [Theory]
    [InlineData("""{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}""")]
    [InlineData("""{"choices":[{"index":0,"delta":{"role":"assistant"}}]}""")]
    [InlineData("""{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""")]
    [InlineData("""{"choices":[{"index":0,"delta":{"content":null,"tool_calls":[]}}]}""")]
    [InlineData("""{"choices":[{"index":0,"text":"","finish_reason":"length"}]}""")]
    [InlineData("""{"choices":[],"usage":null}""")]
    public async Task Role_only_empty_and_finish_only_chunks_carry_no_content(string chunk)
    {
        var events = await Parse($"data: {chunk}\n\n");

        Assert.Equal(NoContent, Assert.Single(events).Kind);
    }

    [Fact]
    public async Task A_chunk_with_content_and_usage_is_one_token_that_also_reports_usage()
    {
        var events = await Parse("""data: {"choices":[{"index":0,"text":"x"}],"usage":{"prompt_tokens":3,"total_tokens":4,"completion_tokens":1}}""" + "\n\n");

        var only = Assert.Single(events);
        Assert.Equal((Token, 3, 1), (only.Kind, only.PromptTokens, only.CompletionTokens));
    }

    [Fact]
    public async Task Comments_never_become_events()
    {
        var events = await Parse(": ping\n\n:\n\n: keep-alive\ndata: [DONE]\n\n");

        Assert.Equal([Done], events.Kinds());
    }

    [Fact]
    public async Task Crlf_line_ends_are_accepted()
    {
        var events = await Parse("data: {\"choices\":[{\"text\":\"a\"}]}\r\n\r\ndata: [DONE]\r\n\r\n");

        Assert.Equal([Token, Done], events.Kinds());
    }

    [Theory]
    [InlineData("""{"error":{"message":"boom","type":"InternalServerError","code":500}}""", "boom")]
    [InlineData("""{"object":"error","message":"bad request","type":"BadRequestError","param":null,"code":400}""", "bad request")]
    [InlineData("""{"error":"Unauthorized"}""", "Unauthorized")]
    public async Task Error_objects_in_the_stream_are_errors(string chunk, string detail)
    {
        var events = await Parse($"data: {chunk}\n\ndata: [DONE]\n\n");

        Assert.Equal([Error, Done], events.Kinds());
        Assert.Equal(detail, events[0].Detail);
    }

    [Fact]
    public async Task An_event_typed_error_is_an_error()
    {
        var events = await Parse("event: error\ndata: {\"message\":\"slot failed\"}\n\n");

        Assert.Equal(Error, Assert.Single(events).Kind);
        Assert.Equal("slot failed", events[0].Detail);
    }

    [Theory]
    [MemberData(nameof(ReadSizes))]
    public async Task Older_llamacpp_error_field_lines_are_errors_even_when_split_across_reads(int readSize)
    {
        const string body = "data: {\"choices\":[{\"text\":\"a\"}]}\n\nerror: {\"code\":500,\"message\":\"failed to decode\",\"type\":\"server_error\"}\n\n";

        var events = await StreamEvents.ParseAsync(_dialect, Encoding.UTF8.GetBytes(body), readSize);

        Assert.Equal([Token, Error], events.Kinds());
        Assert.Equal("failed to decode", events[1].Detail);
    }

    [Fact]
    public async Task Error_text_inside_content_is_not_mistaken_for_an_error_field()
    {
        var events = await Parse("data: {\"choices\":[{\"text\":\"error: none\"}]}\n\ndata: [DONE]\n\n");

        Assert.Equal([Token, Done], events.Kinds());
    }

    [Theory]
    [InlineData("{\"choices\":[{\"text\":\"a\"")]
    [InlineData("\"just a string\"")]
    [InlineData("{\"choices\":[]} trailing")]
    [InlineData("not json")]
    [InlineData("{\"usage\":{\"prompt_tokens\":\"many\"}}")]
    public async Task Unparseable_chunks_are_malformed(string data)
    {
        var events = await Parse($"data: {data}\n\n");

        Assert.Equal(Malformed, Assert.Single(events).Kind);
    }

    [Fact]
    public async Task A_body_without_done_simply_ends()
    {
        var events = await Parse("data: {\"choices\":[{\"text\":\"a\"}]}\n\n");

        Assert.Equal([Token], events.Kinds());
    }

    private Task<List<StreamEvent>> Parse(string body) => StreamEvents.ParseAsync(_dialect, Encoding.UTF8.GetBytes(body));
}
