using System.Text;
using System.Text.Json;
using Warmup.Core.Dialects;
using Warmup.Core.Dialects.VllmGenerate;
using Warmup.Core.Probing;
using Warmup.Core.Tests.TestSupport;
using static Warmup.Core.Dialects.StreamEventKind;

namespace Warmup.Core.Tests.Dialects;

public sealed class VllmGenerateDialectTests
{
    private const string Prompt = "The capital of France is";

    private readonly VllmGenerateDialect _dialect = new();

    public static TheoryData<int> ReadSizes => [int.MaxValue, 1, 5, 17];

    [Theory]
    [MemberData(nameof(ReadSizes))]
    public async Task Newline_delimited_transcript_gives_one_token_per_growing_object_then_done(int readSize)
    {
        var events = await Parse(FixturePaths.TranscriptBytes("vllm", "legacy-generate.stream.ndjson.txt"), readSize);

        Assert.Equal([Token, Token, Token, Done], events.Kinds());
    }

    [Theory]
    [MemberData(nameof(ReadSizes))]
    public async Task Nul_delimited_variant_from_before_november_2024_parses_the_same(int readSize)
    {
        var body = FixturePaths.TranscriptBytes("vllm", "legacy-generate.stream.ndjson.txt").Select(b => b == (byte)'\n' ? (byte)0 : b).ToArray();

        var events = await Parse(body, readSize);

        Assert.Equal([Token, Token, Token, Done], events.Kinds());
    }

    [Fact]
    public async Task A_final_object_without_delimiter_is_fine_when_whole()
    {
        var body = Encoding.UTF8.GetString(FixturePaths.TranscriptBytes("vllm", "legacy-generate.stream.ndjson.txt")).TrimEnd('\n');

        var events = await Parse(Encoding.UTF8.GetBytes(body));

        Assert.Equal([Token, Token, Token, Done], events.Kinds());
    }

    [Fact]
    public async Task A_cut_final_object_is_malformed_and_not_done()
    {
        var events = await Parse(Encoding.UTF8.GetBytes("{\"text\": [\"The capital of France is Paris\"]}\n{\"text\": [\"The capital of Fr"));

        Assert.Equal([Token, Malformed], events.Kinds());
    }

    [Fact]
    public async Task The_echoed_prompt_alone_is_not_a_token_and_unchanged_text_is_no_content()
    {
        var body = "{\"text\": [\"The capital of France is\"]}\n{\"text\": [\"The capital of France is Paris\"]}\n{\"text\": [\"The capital of France is Paris\"]}\n";

        var events = await Parse(Encoding.UTF8.GetBytes(body));

        Assert.Equal([NoContent, Token, NoContent, Done], events.Kinds());
    }

    [Fact]
    public async Task Escaped_text_is_measured_after_unescaping()
    {
        // json.dumps escapes non-ASCII: "\u00e9" is one character (2 UTF-8 bytes) although 6 bytes on the wire.
        const string prompt = "Caf\u00e9 is";
        var body = "{\"text\": [\"Caf\\u00e9 is\"]}\n{\"text\": [\"Caf\\u00e9 is \\u00e9\"]}\n";

        var events = await StreamEvents.ReadAllAsync(
            _dialect.ReadEventsAsync(new MemoryStream(Encoding.UTF8.GetBytes(body)), new GenerationRequest(prompt, 1), CancellationToken.None));

        Assert.Equal([NoContent, Token, Done], events.Kinds());
    }

    [Theory]
    [InlineData("not json\n", Malformed)]
    [InlineData("{\"detail\": \"Internal Server Error\"}\n", Error)]
    [InlineData("{\"texts\": []}\n", Malformed)]
    public async Task Odd_lines_are_classified(string body, StreamEventKind kind)
    {
        var events = await Parse(Encoding.UTF8.GetBytes(body));

        Assert.Equal(kind, events[0].Kind);
    }

    [Fact]
    public async Task Request_body_holds_only_sampling_fields_the_legacy_server_accepts()
    {
        using var message = _dialect.CreateGenerationRequest(TestTargets.Local(), new GenerationRequest(Prompt, 3));
        using var body = JsonDocument.Parse(await message.Content!.ReadAsByteArrayAsync());

        Assert.Equal("http://127.0.0.1:8000/generate", message.RequestUri!.ToString());
        Assert.Equal(
            ["ignore_eos", "max_tokens", "min_tokens", "prompt", "stream", "temperature"],
            body.RootElement.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(Prompt, body.RootElement.GetProperty("prompt").GetString());
        Assert.Equal(3, body.RootElement.GetProperty("max_tokens").GetInt32());
        Assert.Equal(3, body.RootElement.GetProperty("min_tokens").GetInt32());
        Assert.True(body.RootElement.GetProperty("ignore_eos").GetBoolean());
        Assert.True(body.RootElement.GetProperty("stream").GetBoolean());
    }

    [Fact]
    public void Adapters_cannot_be_addressed()
    {
        var error = Assert.Throws<ArgumentException>(() => _dialect.CreateGenerationRequest(TestTargets.Local(), new GenerationRequest(Prompt, 3, "lora")));

        Assert.Contains("adapters", error.Message);
    }

    [Fact]
    public async Task It_has_no_tokenizer_context_or_metrics()
    {
        using var http = new HttpClient();
        var target = TestTargets.Local();

        Assert.Null(await _dialect.CountTokensAsync(http, target, "x", CancellationToken.None));
        Assert.Null(await _dialect.GetMaxContextAsync(http, target, CancellationToken.None));
        Assert.Null(await _dialect.GetLoadAsync(http, target, CancellationToken.None));
        using var readiness = _dialect.CreateReadinessRequest(target);
        Assert.Equal("http://127.0.0.1:8000/health", readiness.RequestUri!.ToString());
    }

    private Task<List<StreamEvent>> Parse(byte[] body, int readSize = int.MaxValue) =>
        StreamEvents.ReadAllAsync(_dialect.ReadEventsAsync(new TrickleStream(body, readSize), new GenerationRequest(Prompt, 3), CancellationToken.None));
}
