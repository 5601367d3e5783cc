using Warmup.Core.Dialects;
using Warmup.Core.Dialects.LlamaCpp;
using Warmup.Core.Dialects.Ollama;
using Warmup.Core.Dialects.Sglang;
using Warmup.Core.Dialects.Tgi;
using Warmup.Core.Dialects.Triton;
using Warmup.Core.Tests.TestSupport;

namespace Warmup.Core.Tests.Dialects.Native;

/// <summary>
/// The native dialects against the transcripts in ../shared/fixtures (the llama.cpp one captured from a running server).
/// A plain clone has no ../shared: these are then skipped with the reason, and the repository's own fixtures
/// (<see cref="NativeStreamParsingTests"/>) still run.
/// </summary>
public sealed class SharedTranscriptConformanceTests
{
    private static byte[] Transcript(string server, string file) => File.ReadAllBytes(FixturePaths.PublishedTranscript(server, file));

    [SkippableFact]
    public async Task Tgi_generate_stream_details()
    {
        var events = await StreamEvents.ParseAsync(new TgiDialect(), Transcript("tgi", "generate-stream.details.stream.txt"), 7);

        Assert.Equal([StreamEventKind.Token, StreamEventKind.Token, StreamEventKind.Token, StreamEventKind.Token, StreamEventKind.Done], events.Kinds());
        Assert.Equal((6, 4), (events[3].PromptTokens, events[3].CompletionTokens));
    }

    [SkippableFact]
    public async Task Sglang_generate_stream()
    {
        var events = await StreamEvents.ParseAsync(new SglangDialect(), Transcript("sglang", "generate.stream.txt"), 7);

        Assert.Equal([StreamEventKind.Token, StreamEventKind.Token, StreamEventKind.Token, StreamEventKind.Token, StreamEventKind.Done], events.Kinds());
        Assert.All(events.Take(4), e => Assert.Equal(1, e.TokenCount));
        Assert.Equal(4, events[3].CompletionTokens);
    }

    [SkippableTheory]
    [InlineData("completion-native.stream.txt")]
    [InlineData("probe-completion-native.stream.txt")]
    public async Task LlamaCpp_completion_native_stream(string file)
    {
        var events = await StreamEvents.ParseAsync(new LlamaCppDialect(), Transcript("llamacpp", file), 7);

        Assert.Equal(StreamEventKind.Done, events[^1].Kind);
        Assert.Equal(StreamEventKind.Usage, events[^2].Kind);
        Assert.Equal(events[^2].CompletionTokens, events.Count(e => e.Kind == StreamEventKind.Token));
    }

    [SkippableFact]
    public async Task Ollama_generate_stream_with_the_shortened_context_array_is_a_malformed_final_line()
    {
        // The document shortened "context" to [128006,9125,...]: that line is not JSON (see the transcript's README).
        var events = await StreamEvents.ParseAsync(new OllamaDialect(), Transcript("ollama", "api-generate.stream.ndjson.txt"), 7);

        Assert.Equal([StreamEventKind.Token, StreamEventKind.Token, StreamEventKind.Token, StreamEventKind.Malformed], events.Kinds());
    }

    [SkippableFact]
    public async Task Triton_vllm_backend_stream()
    {
        var events = await StreamEvents.ParseAsync(new TritonDialect(), Transcript("triton", "generate-stream.vllm-backend.stream.txt"), 7);

        Assert.Equal([StreamEventKind.Token, StreamEventKind.Token, StreamEventKind.Token, StreamEventKind.Token, StreamEventKind.Done], events.Kinds());
        Assert.Equal(4, events[3].CompletionTokens);
    }
}
