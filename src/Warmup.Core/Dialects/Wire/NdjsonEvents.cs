using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Warmup.Core.Dialects.Wire;

/// <summary>Reads a body of one JSON object per <c>\n</c>-terminated line (Ollama), buffering partial lines across reads.</summary>
internal static class NdjsonEvents
{
    public delegate ParsedEvent LineParser(ReadOnlySpan<byte> line);

    /// <summary>Yields one event per non-blank line (a last line without its newline too) until the parser flags the last one.</summary>
    public static async IAsyncEnumerable<StreamEvent> ReadAsync(
        Stream body, LineParser parse, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var reader = PipeReader.Create(body, new StreamPipeReaderOptions(leaveOpen: true));
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (TryReadLine(ref buffer, out var line))
                {
                    if (Parse(line, parse) is { } item)
                    {
                        yield return item.Event;
                        if (item.EndsStream)
                        {
                            yield return new StreamEvent(StreamEventKind.Done);
                            yield break;
                        }
                    }
                }

                if (result.IsCompleted)
                {
                    if (Parse(buffer, parse) is { } last)
                    {
                        yield return last.Event;
                        if (last.EndsStream)
                        {
                            yield return new StreamEvent(StreamEventKind.Done);
                        }
                    }

                    // No end marker: the stream was cut off (the probe reports it as truncated).
                    yield break;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static ParsedEvent? Parse(ReadOnlySequence<byte> line, LineParser parse)
    {
        var bytes = line.IsSingleSegment ? line.FirstSpan : line.ToArray();
        var trimmed = bytes.Trim(" \t\r\n"u8);
        return trimmed.IsEmpty ? null : parse(trimmed);
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (reader.TryReadTo(out line, (byte)'\n', advancePastDelimiter: true))
        {
            buffer = buffer.Slice(reader.Position);
            return true;
        }

        return false;
    }
}
