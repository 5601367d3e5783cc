using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Warmup.Core.Probing;

/// <summary>
/// Measures when the warmer itself could not react to the network, so that a late first-token stamp caused by the
/// client is not blamed on the server. Two samplers, in the style of jHiccup: a dedicated thread sleeps about a
/// millisecond at a time and records how late it wakes (the OS descheduled the process, or a GC paused it), and once
/// a millisecond a byte stamped with its send time goes over a loopback socket pair to an asynchronous receive, the
/// same path (socket readiness, then a thread-pool continuation) a probe's first token takes; a late arrival there
/// means the probe's notification would have waited as long (thread-pool starvation, a busy machine). Each late
/// wake-up or arrival is kept as a stall interval. A probe of a remote server asks only for the stall still going on
/// when it stamped its first token (<see cref="StalledAtMs"/>): a pause while it was merely waiting for the server
/// delayed nothing. A probe of a server on this machine asks for the stalls during the request, at most two of the
/// longest (<see cref="StalledMs"/>): that server shares the CPUs, so a pause may have delayed its own hand-offs too.
/// The meter runs while probes are in flight (<see cref="Acquire"/>) and a few seconds after.
/// </summary>
public sealed class ClientStallMeter
{
    /// <summary>Lateness under this is ordinary timer slack, not a stall.</summary>
    public static readonly TimeSpan StallThreshold = TimeSpan.FromMilliseconds(1);

    /// <summary>How long the thread keeps measuring after the last lease ends.</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromSeconds(10);

    private const int Capacity = 4096;
    private static readonly long Tick = Stopwatch.Frequency / 1000;

    private readonly Lock _gate = new();
    private readonly (long From, long To)[] _stalls = new (long, long)[Capacity];
    private int _next;
    private int _count;
    private int _leases;
    private long _lastReleased;
    private Thread? _thread;

    /// <summary>The process's meter: every probe of the process shares one thread.</summary>
    public static ClientStallMeter Shared { get; } = new();

    /// <summary>True while the thread measures; stalls are only known for intervals it covered.</summary>
    public bool IsRunning => Volatile.Read(ref _thread) is not null;

    /// <summary>Starts measuring (if not already) until the returned lease and every other one are disposed.</summary>
    public IDisposable Acquire()
    {
        lock (_gate)
        {
            _leases++;
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "warmup-stall-meter" };
                _thread.Start();
            }
        }

        return new Lease(this);
    }

    /// <summary>
    /// For a server on this same machine: how much of [<paramref name="fromTimestamp"/>, <paramref name="toTimestamp"/>]
    /// (<see cref="Stopwatch"/> ticks) this machine's stalls may have added. The server shares the CPUs, but a stall
    /// while it computes or waits on a timer delays nothing; only its hand-offs can wait one out (the server waking to
    /// send the first token, the warmer waking to read it), so this is the stalled time during the request, at most
    /// <paramref name="handOffs"/> times its longest single stall.
    /// </summary>
    public double StalledMs(long fromTimestamp, long toTimestamp, int handOffs = 2)
    {
        var (covered, longest) = Covered(fromTimestamp, toTimestamp);
        return Math.Min(covered, handOffs * longest) * 1000.0 / Stopwatch.Frequency;
    }

    /// <summary>The union of recorded stalls clipped to the interval, and its longest contiguous piece (ticks).</summary>
    private (long Covered, long Longest) Covered(long fromTimestamp, long toTimestamp)
    {
        if (toTimestamp <= fromTimestamp)
        {
            return (0, 0);
        }

        List<(long From, long To)> overlapping = [];
        lock (_gate)
        {
            for (var i = 0; i < _count; i++)
            {
                var stall = _stalls[(_next - 1 - i + Capacity) % Capacity];
                if (stall.From < toTimestamp && stall.To > fromTimestamp)
                {
                    overlapping.Add((Math.Max(stall.From, fromTimestamp), Math.Min(stall.To, toTimestamp)));
                }
            }
        }

        // The two samplers often describe the same pause: count covered time once.
        overlapping.Sort((a, b) => a.From.CompareTo(b.From));
        long covered = 0, longest = 0, end = long.MinValue, pieceStart = 0;
        foreach (var (from, to) in overlapping)
        {
            if (from > end)
            {
                pieceStart = from;
            }

            var start = Math.Max(from, end);
            if (to > start)
            {
                covered += to - start;
            }

            end = Math.Max(end, to);
            longest = Math.Max(longest, end - pieceStart);
        }

        return (covered, longest);
    }

    /// <summary>
    /// How long the warmer had been stalled when it stamped <paramref name="timestamp"/>, counted from no earlier than
    /// <paramref name="sinceTimestamp"/>: the stalls that reach the stamp (within <see cref="StallThreshold"/>, the
    /// samplers' resolution), followed back through any that touch them. A first token stamped at the end of such a
    /// stall may have arrived anywhere in it, so this bounds how late the stamp is; stalls that ended while the probe
    /// was still waiting for the server are not counted.
    /// </summary>
    public double StalledAtMs(long sinceTimestamp, long timestamp)
    {
        var slack = (long)(StallThreshold.TotalSeconds * Stopwatch.Frequency);
        List<(long From, long To)> recent = [];
        lock (_gate)
        {
            for (var i = 0; i < _count; i++)
            {
                var stall = _stalls[(_next - 1 - i + Capacity) % Capacity];
                if (stall.From < timestamp && stall.To > sinceTimestamp)
                {
                    recent.Add(stall);
                }
            }
        }

        // Walk back from the stamp: each stall that reaches the current edge (within the slack) extends it.
        var edge = timestamp;
        foreach (var (from, to) in recent.OrderByDescending(r => r.To))
        {
            if (to + slack >= edge && from < edge)
            {
                edge = Math.Max(sinceTimestamp, from);
            }
        }

        return (timestamp - edge) * 1000.0 / Stopwatch.Frequency;
    }

    /// <summary>Records a stall directly (tests; the thread records its own).</summary>
    internal void Record(long fromTimestamp, long toTimestamp)
    {
        lock (_gate)
        {
            _stalls[_next] = (fromTimestamp, toTimestamp);
            _next = (_next + 1) % Capacity;
            _count = Math.Min(_count + 1, Capacity);
        }
    }

    private void Release()
    {
        lock (_gate)
        {
            _leases--;
            _lastReleased = Stopwatch.GetTimestamp();
        }
    }

    private void Run()
    {
        var threshold = (long)(StallThreshold.TotalSeconds * Stopwatch.Frequency);
        using var sentinel = Sentinel.TryOpen(this, threshold);
        // The shortest sleep seen is what a wake-up costs on this OS (about 1.1 ms on Linux); lateness beyond it is a stall.
        var shortestSleep = long.MaxValue;
        var before = Stopwatch.GetTimestamp();
        while (true)
        {
            sentinel?.Send();
            Thread.Sleep(1);
            var now = Stopwatch.GetTimestamp();
            var slept = now - before;
            shortestSleep = Math.Min(shortestSleep, Math.Max(slept, Tick));
            if (slept - shortestSleep > threshold)
            {
                Record(before + shortestSleep, now);
            }

            before = now;
            lock (_gate)
            {
                if (_leases == 0 && Stopwatch.GetElapsedTime(_lastReleased, now) > Linger)
                {
                    _thread = null;
                    return;
                }
            }
        }
    }

    /// <summary>
    /// A loopback socket pair: the meter's thread sends its timestamp, an asynchronous receive (socket readiness, then a
    /// thread-pool continuation, as for a probe's response) records every arrival later than the threshold.
    /// </summary>
    private sealed class Sentinel : IDisposable
    {
        private readonly ClientStallMeter _meter;
        private readonly Socket _sender;
        private readonly Socket _receiver;
        private readonly byte[] _stamp = new byte[sizeof(long)];
        private readonly long _threshold;

        private Sentinel(ClientStallMeter meter, Socket sender, Socket receiver, long threshold)
        {
            _meter = meter;
            _sender = sender;
            _receiver = receiver;
            _threshold = threshold;
            _ = ReceiveAsync();
        }

        /// <summary>Null where loopback sockets are refused: the sleep sampler still measures.</summary>
        public static Sentinel? TryOpen(ClientStallMeter meter, long threshold)
        {
            try
            {
                using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                listener.Listen(1);
                var sender = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                sender.Connect(listener.LocalEndPoint!);
                return new Sentinel(meter, sender, listener.Accept(), threshold);
            }
            catch (SocketException)
            {
                return null;
            }
        }

        public void Send()
        {
            BinaryPrimitives.WriteInt64LittleEndian(_stamp, Stopwatch.GetTimestamp());
            try
            {
                _sender.Send(_stamp);
            }
            catch (SocketException)
            {
                // The receive side is gone; the sleep sampler still measures.
            }
        }

        public void Dispose()
        {
            _sender.Dispose();
            _receiver.Dispose();
        }

        private async Task ReceiveAsync()
        {
            var buffer = new byte[4096];
            var filled = 0;
            try
            {
                while (true)
                {
                    var read = await _receiver.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None).ConfigureAwait(false);
                    var now = Stopwatch.GetTimestamp();
                    if (read == 0)
                    {
                        return;
                    }

                    filled += read;
                    var whole = filled - (filled % sizeof(long));
                    for (var at = 0; at < whole; at += sizeof(long))
                    {
                        var sent = BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(at));
                        if (now - sent > _threshold)
                        {
                            _meter.Record(sent, now);
                        }
                    }

                    buffer.AsSpan(whole, filled - whole).CopyTo(buffer);
                    filled -= whole;
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }
    }

    private sealed class Lease(ClientStallMeter meter) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                meter.Release();
            }
        }
    }
}
