using System.Diagnostics;

namespace Warmup.Core.Probing;

/// <summary>
/// When one request met the wire: its first write to the connection and the latest read that brought bytes of its
/// response. The probe measures TTFT and inter-token gaps between these rather than around the HTTP stack and the stream
/// parser, so the client's own work (headers, chunked decoding, SSE and JSON parsing, code still cold on a process's
/// first request) is not counted as the server's. The probe starts them for its request's async flow; the connection's
/// stream (<see cref="OpenConnections"/>) stamps them. A connection that is not one of ours (a host's own client) stamps
/// nothing, and the probe then keeps its own stamps around the HTTP stack.
/// </summary>
internal sealed class WireStamps
{
    private static readonly AsyncLocal<WireStamps?> Flow = new();

    private long _firstWrite;
    private long _lastRead;

    /// <summary>The stamps of the request the current flow sends, if any.</summary>
    public static WireStamps? Current => Flow.Value;

    /// <summary><see cref="Stopwatch.GetTimestamp"/> when the request's first bytes were handed to the connection; null before.</summary>
    public long? FirstWrite => Volatile.Read(ref _firstWrite) is var t and not 0 ? t : null;

    /// <summary>
    /// <see cref="Stopwatch.GetTimestamp"/> when the latest read after that write returned bytes. A parser hands out an event
    /// before it reads again, so at each event this is the read that completed the event's bytes.
    /// </summary>
    public long? LastRead => Volatile.Read(ref _lastRead) is var t and not 0 && FirstWrite is { } sent && t >= sent ? t : null;

    /// <summary>Starts stamping the request the calling async method sends; the flow's value does not leak to its caller.</summary>
    public static WireStamps Begin()
    {
        var stamps = new WireStamps();
        Flow.Value = stamps;
        return stamps;
    }

    internal void Wrote(long timestamp) => Interlocked.CompareExchange(ref _firstWrite, timestamp, 0);

    internal void Read(long timestamp) => Volatile.Write(ref _lastRead, timestamp);
}
