using Warmup.Core.Dialects;

namespace Warmup.Core.Tests.TestSupport;

public static class StreamEvents
{
    public static async Task<List<StreamEvent>> ReadAllAsync(IAsyncEnumerable<StreamEvent> events)
    {
        var list = new List<StreamEvent>();
        await foreach (var e in events)
        {
            list.Add(e);
        }

        return list;
    }

    public static Task<List<StreamEvent>> ParseAsync(IDialect dialect, byte[] body, int readSize = int.MaxValue) =>
        ReadAllAsync(dialect.ReadEventsAsync(new TrickleStream(body, readSize), CancellationToken.None));

    public static IEnumerable<StreamEventKind> Kinds(this IEnumerable<StreamEvent> events) => events.Select(e => e.Kind);
}

/// <summary>Hands out a body at most <c>readSize</c> bytes per read, to prove parsers do not assume one event per read.</summary>
public sealed class TrickleStream(byte[] data, int readSize) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => data.Length;

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = Math.Min(Math.Min(buffer.Length, readSize), data.Length - _position);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
