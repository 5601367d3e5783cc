using Warmup.Core.Dialects;
using Warmup.Core.Dialects.AzureMl;
using Warmup.Core.Dialects.LlamaCpp;
using Warmup.Core.Dialects.Ollama;
using Warmup.Core.Dialects.Sglang;
using Warmup.Core.Dialects.Tgi;
using Warmup.Core.Dialects.Triton;
using Warmup.Core.Probing;
using Warmup.Core.Tests.TestSupport;

namespace Warmup.Core.Tests.Dialects.Native;

/// <summary>Each native stream, read whole and one byte per read: tokens, counts, end and errors as the server meant them.</summary>
public sealed class NativeStreamParsingTests
{
    public static TheoryData<int> ReadSizes => new() { int.MaxValue, 1 };

    [Theory]
    [MemberData(nameof(ReadSizes))]
    public async Task Tgi_keep_alives_are_not_tokens_and_the_last_token_event_ends_the_stream(int readSize)
    {
        var events = await StreamEvents.ParseAsync(new TgiDialect(), NativeFixtures.Bytes("tgi-generate-stream.keepalive-eos.txt"), readSize);

        Assert.Equal(
            [StreamEventKind.Token, StreamEventKind.Token, StreamEventKind.Token, StreamEventKind.Token, StreamEventKind.Done],
            events.Kinds());
        // The EOS special token is a generated token: details.generated_tokens counts it.
        Assert.Equal((6, 4), (events[3].PromptTokens, events[3].CompletionTokens));
    }

    [Fact]
    public async Task Tgi_error_after_200_is_an_error_event()
    {
        var events = await StreamEvents.ParseAsync(new TgiDialect(), NativeFixtures.Bytes("tgi-generate-stream.error.txt"));

        Assert.Equal([StreamEventKind.Token, StreamEventKind.Error], events.Kinds());
        Assert.Contains("CUDA out of memory", events[1].Detail);
    }

    [Theory]
    [MemberData(nameof(ReadSizes))]
    public async Task Sglang_cumulative_chunk_with_three_new_tokens_counts_three(int readSize)
    {
        var events = await StreamEvents.ParseAsync(new SglangDialect(), NativeFixtures.Bytes("sglang-generate.multi-token-chunk.txt"), readSize);

        Assert.Equal([StreamEventKind.Token, StreamEventKind.Token, StreamEventKind.Done], events.Kinds());
        Assert.Equal([1, 3], events.Take(2).Select(e => e.TokenCount));
        Assert.Equal(4, events[1].CompletionTokens);
        Assert.Equal(6, events[1].PromptTokens);
    }

    [Fact]
    public async Task Sglang_error_object_is_an_error_event()
    {
        var events = await StreamEvents.ParseAsync(new SglangDialect(), NativeFixtures.Bytes("sglang-generate.error.txt"));

        Assert.Equal(StreamEventKind.Error, events[1].Kind);
        Assert.Equal("The server is shutting down.", events[1].Detail);
    }

    [Theory]
    [MemberData(nameof(ReadSizes))]
    public async Task LlamaCpp_stop_event_carries_the_counts_and_ends_the_stream(int readSize)
    {
        var events = await StreamEvents.ParseAsync(new LlamaCppDialect(), NativeFixtures.Bytes("llamacpp-completion.stop-event.txt"), readSize);

        Assert.Equal([StreamEventKind.Token, StreamEventKind.Token, StreamEventKind.Usage, StreamEventKind.Done], events.Kinds());
        Assert.Equal((6, 2), (events[2].PromptTokens, events[2].CompletionTokens));
    }

    [Fact]
    public async Task LlamaCpp_error_field_line_is_an_error_event()
    {
        var events = await StreamEvents.ParseAsync(new LlamaCppDialect(), NativeFixtures.Bytes("llamacpp-completion.error-field.txt"));

        Assert.Equal([StreamEventKind.Token, StreamEventKind.Error], events.Kinds());
        Assert.Equal("slot unavailable", events[1].Detail);
    }

    [Theory]
    [MemberData(nameof(ReadSizes))]
    public async Task Ollama_final_object_may_carry_the_last_token_and_brings_the_counts(int readSize)
    {
        var events = await StreamEvents.ParseAsync(new OllamaDialect(), NativeFixtures.Bytes("ollama-generate.final-carries-token.ndjson.txt"), readSize);

        Assert.Equal([StreamEventKind.Token, StreamEventKind.Token, StreamEventKind.Token, StreamEventKind.Done], events.Kinds());
        Assert.Equal((31, 3), (events[2].PromptTokens, events[2].CompletionTokens));
    }

    [Fact]
    public async Task Ollama_chat_thinking_is_a_token_and_absent_counts_stay_unknown()
    {
        var events = await StreamEvents.ParseAsync(new OllamaDialect(), NativeFixtures.Bytes("ollama-chat.thinking-then-content.ndjson.txt"));

        Assert.Equal([StreamEventKind.Token, StreamEventKind.Token, StreamEventKind.Usage, StreamEventKind.Done], events.Kinds());
        // prompt_eval_count is omitempty: absent is unknown, never zero.
        Assert.Null(events[2].PromptTokens);
        Assert.Equal(2, events[2].CompletionTokens);
    }

    [Fact]
    public async Task Ollama_error_line_is_an_error_event_and_a_stream_without_done_is_not_complete()
    {
        var error = await StreamEvents.ParseAsync(new OllamaDialect(), NativeFixtures.Bytes("ollama-generate.error.ndjson.txt"));
        var cut = await StreamEvents.ParseAsync(new OllamaDialect(), "{\"model\":\"m\",\"response\":\"The\",\"done\":false}\n"u8.ToArray());

        Assert.Equal([StreamEventKind.Token, StreamEventKind.Error], error.Kinds());
        Assert.Equal([StreamEventKind.Token], cut.Kinds());
    }

    [Theory]
    [MemberData(nameof(ReadSizes))]
    public async Task Triton_sums_num_output_tokens_and_ends_with_the_body(int readSize)
    {
        var events = await StreamEvents.ParseAsync(new TritonDialect(), NativeFixtures.Bytes("triton-generate-stream.vllm-backend.txt"), readSize);

        Assert.Equal([StreamEventKind.Token, StreamEventKind.Token, StreamEventKind.Token, StreamEventKind.Done], events.Kinds());
        Assert.Equal([1, 2, 1], events.Take(3).Select(e => e.TokenCount));
        Assert.Equal(4, events[2].CompletionTokens);
    }

    [Fact]
    public async Task Triton_error_event_is_an_error()
    {
        var events = await StreamEvents.ParseAsync(new TritonDialect(), NativeFixtures.Bytes("triton-generate-stream.error.txt"));

        Assert.Equal(StreamEventKind.Error, events[1].Kind);
        Assert.Contains("out of memory", events[1].Detail);
    }

    [Fact]
    public async Task AzureMl_one_piece_scoring_answer_is_one_token_event_with_the_server_count()
    {
        var dialect = new AzureMlDialect();
        var events = await StreamEvents.ReadAllAsync(dialect.ReadEventsAsync(
            new MemoryStream(NativeFixtures.Bytes("azureml-score.completion-body.json.txt")), new GenerationRequest("p", 2), CancellationToken.None));

        Assert.Equal([StreamEventKind.Token, StreamEventKind.Done], events.Kinds());
        Assert.Equal(2, events[0].CompletionTokens);
    }

    [Fact]
    public async Task AzureMl_streamed_openai_body_is_parsed_as_sse()
    {
        var body = "data: {\"choices\":[{\"index\":0,\"text\":\" Paris\",\"finish_reason\":null}]}\n\ndata: [DONE]\n\n"u8.ToArray();
        var events = await StreamEvents.ReadAllAsync(new AzureMlDialect().ReadEventsAsync(
            new TrickleStream(body, 1), new GenerationRequest("p", 1), CancellationToken.None));

        Assert.Equal([StreamEventKind.Token, StreamEventKind.Done], events.Kinds());
    }
}
