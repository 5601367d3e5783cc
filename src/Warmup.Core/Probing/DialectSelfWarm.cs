using System.Collections.Concurrent;
using System.Text;
using Warmup.Core.Dialects;
using Warmup.Core.Targets;

namespace Warmup.Core.Probing;

/// <summary>
/// The dialect's own part of the probe's path, warmed once per process and dialect before its first measured request:
/// its request body writer and its stream parser, run on a short stream in its own format. The HTTP stack, the chunked
/// body read and the SSE and NDJSON readers are warmed once for every dialect by <see cref="ProbeSelfWarm"/> (over a
/// loopback socket, OpenAI-shaped); what stays is the code only this dialect runs on every event, which would otherwise
/// be compiled between the first measured request's first bytes and its first token.
/// </summary>
public static class DialectSelfWarm
{
    private static readonly ConcurrentDictionary<string, Task> Warmed = new(StringComparer.Ordinal);

    /// <summary>
    /// A short stream per dialect (the published formats, two tokens and the end), written here rather than captured:
    /// OpenAI's is left out, the loopback self-warm already ran it.
    /// </summary>
    internal static IReadOnlyDictionary<string, string> Samples { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [DialectNames.Tgi] =
            "data:{\"index\":1,\"token\":{\"id\":1,\"text\":\" warm\",\"logprob\":-0.1,\"special\":false},\"generated_text\":null,\"details\":null}\n\n" +
            "data:{\"index\":2,\"token\":{\"id\":2,\"text\":\".\",\"logprob\":-0.1,\"special\":false},\"generated_text\":\" warm.\",\"details\":{\"finish_reason\":\"length\",\"generated_tokens\":2,\"seed\":null,\"input_length\":1}}\n\n",
        [DialectNames.Sglang] =
            "data: {\"text\":\" warm\",\"output_ids\":[1],\"meta_info\":{\"id\":\"w\",\"finish_reason\":null,\"prompt_tokens\":1,\"completion_tokens\":1,\"cached_tokens\":0}}\n\n" +
            "data: {\"text\":\" warm.\",\"output_ids\":[1,2],\"meta_info\":{\"id\":\"w\",\"finish_reason\":{\"type\":\"length\",\"length\":2},\"prompt_tokens\":1,\"completion_tokens\":2,\"cached_tokens\":0}}\n\n" +
            "data: [DONE]\n\n",
        [DialectNames.LlamaCpp] =
            "data: {\"index\":0,\"content\":\" warm\",\"tokens\":[1],\"stop\":false,\"id_slot\":0,\"tokens_predicted\":1,\"tokens_evaluated\":1}\n\n" +
            "data: {\"index\":0,\"content\":\"\",\"tokens\":[],\"id_slot\":0,\"stop\":true,\"tokens_predicted\":2,\"tokens_evaluated\":1,\"stop_type\":\"limit\",\"timings\":{\"prompt_n\":1,\"prompt_ms\":1.0,\"predicted_n\":2,\"predicted_ms\":2.0}}\n\n",
        [DialectNames.Ollama] =
            "{\"model\":\"warmup-self-warm\",\"created_at\":\"2026-01-01T00:00:00Z\",\"response\":\" warm\",\"done\":false}\n" +
            "{\"model\":\"warmup-self-warm\",\"created_at\":\"2026-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\",\"content\":\".\"},\"done\":false}\n" +
            "{\"model\":\"warmup-self-warm\",\"created_at\":\"2026-01-01T00:00:00Z\",\"response\":\"\",\"done\":true,\"done_reason\":\"length\",\"prompt_eval_count\":1,\"eval_count\":2}\n",
        [DialectNames.Triton] =
            "data: {\"model_name\":\"warmup-self-warm\",\"model_version\":\"1\",\"num_output_tokens\":1,\"text_output\":\" warm\"}\n\n" +
            "data: {\"model_name\":\"warmup-self-warm\",\"model_version\":\"1\",\"num_output_tokens\":1,\"text_output\":\".\"}\n\n",
        [DialectNames.VllmGenerate] =
            "{\"text\": [\"warm the\"]}\n{\"text\": [\"warm the warmer\"]}\n",
        [DialectNames.AzureMl] =
            "data: {\"id\":\"w\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" warm\"},\"finish_reason\":null}]}\n\n" +
            "data: [DONE]\n\n",
    };

    /// <summary>Warms <paramref name="dialect"/>'s part once per process; later calls return the same task. Never throws.</summary>
    public static Task EnsureAsync(IDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        // Called before every measured request: the factory takes its state as an argument, so a warmed dialect costs a
        // lookup and no allocation.
        return Samples.TryGetValue(dialect.Name, out var sample)
            ? Warmed.GetOrAdd(dialect.Name, static (_, warm) => Task.Run(() => RunQuietlyAsync(warm.Dialect, warm.Sample)), (Dialect: dialect, Sample: sample))
            : Task.CompletedTask;
    }

    private static async Task RunQuietlyAsync(IDialect dialect, string sample)
    {
        try
        {
            await RunAsync(dialect, sample).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Warming is an optimisation: a parser that rejects its sample only leaves its first request to compile it.
        }
    }

    /// <summary>Runs the dialect's request writer and parser <see cref="ProbeSelfWarm.Rounds"/> times; the events of the last parse.</summary>
    internal static async Task<IReadOnlyList<StreamEvent>> RunAsync(IDialect dialect, string sample)
    {
        var target = new WarmupTarget { Name = "warmup-self-warm", BaseUrl = new Uri("http://127.0.0.1/"), Model = "warmup-self-warm" };
        var request = new GenerationRequest("warm", 2, PromptTokens: 1);
        var bytes = Encoding.UTF8.GetBytes(sample);
        var events = new List<StreamEvent>();
        for (var round = 0; round < ProbeSelfWarm.Rounds; round++)
        {
            events.Clear();
            try
            {
                using var message = dialect.CreateGenerationRequest(target, request);
                if (message.Content is { } content)
                {
                    await content.ReadAsByteArrayAsync().ConfigureAwait(false);
                }
            }
            catch (ArgumentException)
            {
                // A target shape this one does not have (a request template): the parser below still runs.
            }

            await foreach (var item in dialect.ReadEventsAsync(new MemoryStream(bytes), request, CancellationToken.None).ConfigureAwait(false))
            {
                events.Add(item);
            }
        }

        return events;
    }
}
