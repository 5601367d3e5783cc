using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Warmup.Core.Dialects.OpenAi;

namespace Warmup.Core.Dialects.Wire;

/// <summary>
/// Reads an SSE body with <see cref="SseParser"/> (framing, <c>data:</c> with or without a space, comments such as TGI's
/// keep-alives dropped, so a keep-alive never stops the TTFT clock) and hands each event's data to the dialect. An
/// <c>error:</c> line (older llama.cpp) becomes an error event, and a literal <c>[DONE]</c> ends the stream.
/// </summary>
internal static class SseEvents
{
    public delegate ParsedEvent EventParser(ReadOnlySpan<byte> data);

    public static async IAsyncEnumerable<StreamEvent> ReadAsync(
        Stream body, EventParser parse, StreamEnd end, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var source = new ErrorFieldRewritingStream(body);
        var parser = SseParser.Create(source, (type, data) => Classify(type, data, parse));
        await foreach (var item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return item.Data.Event;
            if (item.Data.EndsStream && item.Data.Event.Kind is not (StreamEventKind.Done or StreamEventKind.Error or StreamEventKind.Malformed))
            {
                yield return new StreamEvent(StreamEventKind.Done);
                yield break;
            }
        }

        if (end == StreamEnd.EndOfBody)
        {
            yield return new StreamEvent(StreamEventKind.Done);
        }
    }

    private static ParsedEvent Classify(string eventType, ReadOnlySpan<byte> data, EventParser parse)
    {
        if (eventType == "error")
        {
            return new StreamEvent(StreamEventKind.Error, Detail: OpenAiChunk.ErrorEventDetail(data));
        }

        var trimmed = data.Trim(" \t\r\n"u8);
        if (trimmed.SequenceEqual("[DONE]"u8))
        {
            return new StreamEvent(StreamEventKind.Done);
        }

        return trimmed.IsEmpty ? new StreamEvent(StreamEventKind.NoContent) : parse(trimmed);
    }
}
