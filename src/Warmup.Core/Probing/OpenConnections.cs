using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Warmup.Core.Probing;

/// <summary>
/// Counts the connections a <see cref="WarmupHttp.CreateHandler()"/> pool really holds, per target authority, so
/// <see cref="TargetConnections"/> tops the pool up to what a burst needs instead of assuming how many connections its
/// readiness requests left behind: a readiness response with an empty body frees its connection at once, so a later
/// readiness request of the same batch can reuse it rather than open its own, and a connection the pool started
/// opening for a request another connection then served is still being opened when the batch is answered.
/// <para>
/// The handler's <see cref="SocketsHttpHandler.ConnectCallback"/> (<see cref="ConnectAsync"/>) opens the socket as the
/// handler does by default and wraps its stream, which counts as opening; the handler's
/// <see cref="SocketsHttpHandler.PlaintextStreamFilter"/> (<see cref="FilterAsync"/>), which it calls once the connection
/// is usable (after TLS), counts it as open. The handler disposes the stream when it drops the connection (idle
/// timeout, lifetime, failed TLS, the server closed it, an error): it leaves the count then.
/// </para>
/// <para>
/// The stream also holds the requests of a <see cref="Round"/> of readiness requests until each has its own connection.
/// </para>
/// </summary>
internal sealed class OpenConnections
{
    // Client → its innermost handler, recorded by WarmupHttp.CreateClient: an HttpClient does not expose its handler.
    private static readonly ConditionalWeakTable<HttpClient, SocketsHttpHandler> Handlers = [];

    private readonly ConcurrentDictionary<string, Authority> _authorities = new(StringComparer.Ordinal);

    // A TLS stream hides the stream under it: the filter finds the connection by the request it was opened for.
    private readonly ConditionalWeakTable<HttpRequestMessage, CountedStream> _opening = [];

    private readonly Func<DnsEndPoint, CancellationToken, ValueTask<Socket>> _connect;

    public OpenConnections()
        : this(ConnectSocketAsync)
    {
    }

    /// <summary>With <paramref name="connect"/> opening the socket (tests: a slow connection).</summary>
    internal OpenConnections(Func<DnsEndPoint, CancellationToken, ValueTask<Socket>> connect) => _connect = connect;

    /// <summary>
    /// The counter of the pool behind <paramref name="client"/>; null for a client not built by
    /// <see cref="WarmupHttp.CreateClient(HttpMessageHandler, bool)"/> over a <see cref="WarmupHttp.CreateHandler()"/>
    /// handler (a host's own client), or one whose callbacks were replaced: its connections cannot be counted.
    /// </summary>
    public static OpenConnections? Of(HttpClient client)
        => Handlers.TryGetValue(client, out var handler)
            && handler.ConnectCallback?.Target is OpenConnections counter
            && ReferenceEquals(handler.PlaintextStreamFilter?.Target, counter)
                ? counter
                : null;

    /// <summary>Remembers the pool under <paramref name="handler"/> (through any delegating handlers) for <see cref="Of"/>.</summary>
    public static void Track(HttpClient client, HttpMessageHandler handler)
    {
        while (handler is DelegatingHandler { InnerHandler: { } inner })
        {
            handler = inner;
        }

        if (handler is SocketsHttpHandler sockets)
        {
            Handlers.AddOrUpdate(client, sockets);
        }
    }

    /// <summary>What the handler does without a <see cref="SocketsHttpHandler.ConnectCallback"/>.</summary>
    public static async ValueTask<Socket> ConnectSocketAsync(DnsEndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Connections open to <paramref name="target"/>'s scheme, host and port that carried a request or a response within
    /// <paramref name="usedWithin"/> (busy ones included: a streaming response reads as it goes).
    /// </summary>
    public int Count(Uri target, TimeSpan usedWithin)
        => _authorities.TryGetValue(AuthorityOf(target), out var authority) ? authority.Count(usedWithin) : 0;

    /// <summary>Waits until no connection to <paramref name="target"/> is being opened (each takes at most the connect timeout).</summary>
    public async Task OpenedAsync(Uri target, CancellationToken cancellationToken)
    {
        if (_authorities.TryGetValue(AuthorityOf(target), out var authority))
        {
            while (authority.AnyOpening())
            {
                await Task.Delay(1, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The <see cref="SocketsHttpHandler.ConnectCallback"/>.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var request = context.InitialRequestMessage;
        if (request.RequestUri is not { } uri)
        {
            return new NetworkStream(await _connect(context.DnsEndPoint, cancellationToken).ConfigureAwait(false), ownsSocket: true);
        }

        var stream = _authorities.GetOrAdd(AuthorityOf(uri), _ => new Authority()).Add();
        try
        {
            stream.Connected(new NetworkStream(await _connect(context.DnsEndPoint, cancellationToken).ConfigureAwait(false), ownsSocket: true));
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _opening.AddOrUpdate(request, stream);
        return stream;
    }

    /// <summary>The <see cref="SocketsHttpHandler.PlaintextStreamFilter"/>: the connection is usable from here.</summary>
    public ValueTask<Stream> FilterAsync(SocketsHttpPlaintextStreamFilterContext context, CancellationToken cancellationToken)
    {
        var request = context.InitialRequestMessage;
        if (context.PlaintextStream is CountedStream plain)
        {
            plain.Opened();
        }
        else if (_opening.TryGetValue(request, out var underTls))
        {
            underTls.Opened();
        }

        _opening.Remove(request);
        return ValueTask.FromResult(context.PlaintextStream);
    }

    // The pool's key without a proxy: scheme, host and port (the default one left out, as it is from a target's URL too).
    private static string AuthorityOf(Uri uri) => uri.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped);

    /// <summary>
    /// Readiness requests sent at once to open connections. Each request that gets a connection holds it, its request
    /// not yet written, until every request of the round got one or ended: none can then reuse a connection another
    /// request of the round freed (an empty answer frees it as soon as it arrives, which on a busy machine can be
    /// before the next request of the round is sent), so the round leaves as many connections open as it has
    /// requests, and none more. Only the flows of the round's requests hold: measured requests write at once.
    /// </summary>
    public sealed class Round
    {
        // The request of a round this flow sends: the connection's stream sees it when the request is written.
        private static readonly AsyncLocal<Request?> Current = new();

        private readonly TaskCompletionSource _allArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _waiting;

        public Round(int count)
        {
            _waiting = count;
            if (count <= 0)
            {
                _allArrived.SetResult();
            }
        }

        /// <summary>The request of a round that the current flow sends, if any.</summary>
        internal static Request? Joined => Current.Value;

        /// <summary>
        /// Joins the round with the request the calling async method sends (the flow's value does not leak to its
        /// caller); disposed when the request ended, whether or not it got a connection.
        /// </summary>
        public IDisposable Join()
        {
            var request = new Request(this);
            Current.Value = request;
            return request;
        }

        private void Arrived()
        {
            if (Interlocked.Decrement(ref _waiting) == 0)
            {
                _allArrived.TrySetResult();
            }
        }

        internal sealed class Request(Round round) : IDisposable
        {
            private int _arrived;

            public Task AllArrived => round._allArrived.Task;

            /// <summary>True the first time only: the request has its connection and is about to be written.</summary>
            public bool Arrive()
            {
                if (Interlocked.Exchange(ref _arrived, 1) != 0)
                {
                    return false;
                }

                round.Arrived();
                return true;
            }

            public void Dispose() => Arrive();
        }
    }

    private sealed class Authority
    {
        private readonly Lock _gate = new();
        private readonly HashSet<CountedStream> _streams = [];

        public CountedStream Add()
        {
            var stream = new CountedStream(this);
            lock (_gate)
            {
                _streams.Add(stream);
            }

            return stream;
        }

        public void Remove(CountedStream stream)
        {
            lock (_gate)
            {
                _streams.Remove(stream);
            }
        }

        public int Count(TimeSpan usedWithin)
        {
            lock (_gate)
            {
                var count = 0;
                foreach (var stream in _streams)
                {
                    if (stream.IsOpen && Stopwatch.GetElapsedTime(stream.LastUsed) <= usedWithin)
                    {
                        count++;
                    }
                }

                return count;
            }
        }

        public bool AnyOpening()
        {
            lock (_gate)
            {
                foreach (var stream in _streams)
                {
                    if (!stream.IsOpen)
                    {
                        return true;
                    }
                }

                return false;
            }
        }
    }

    /// <summary>
    /// One connection's stream, passed through. Stamps the <see cref="WireStamps"/> of the measured request it carries.
    /// Leaves the count exactly once: when the handler disposes it, or as soon
    /// as a read finds the connection closed (end of stream or an error), which an idle connection's read-ahead sees
    /// when the server closes it, before the pool gets round to dropping it.
    /// </summary>
    private sealed class CountedStream(Authority authority) : Stream
    {
        private readonly long _started = Stopwatch.GetTimestamp();

        // Set once connected, before the handler sees the stream.
        private Stream _inner = Null;
        private long _lastUsed = Stopwatch.GetTimestamp();
        private bool _opened;
        private int _closed;

        // The measured request this connection carries now (HTTP/1.1: one at a time): its response's reads stamp it.
        private WireStamps? _stamps;

        /// <summary>
        /// Usable: past TLS. One that stayed opening past the connect timeout is open too: the handler disposes one it
        /// gave up on, so that one was opened for a request the filter could not match (sent twice, on retry).
        /// </summary>
        public bool IsOpen => Volatile.Read(ref _opened) || Stopwatch.GetElapsedTime(_started) > WarmupHttp.ConnectTimeout;

        public long LastUsed => Volatile.Read(ref _lastUsed);

        public override bool CanRead => _inner.CanRead;

        public override bool CanSeek => false;

        public override bool CanWrite => _inner.CanWrite;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public void Connected(Stream inner) => _inner = inner;

        public void Opened()
        {
            Touch();
            Volatile.Write(ref _opened, true);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            try
            {
                return Observe(_inner.Read(buffer), buffer.Length);
            }
            catch
            {
                Closed();
                throw;
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            // Every response read passes here, measured ones included: no state machine when the read is already done.
            var read = _inner.ReadAsync(buffer, cancellationToken);
            return read.IsCompletedSuccessfully ? new ValueTask<int>(Observe(read.Result, buffer.Length)) : ObserveAsync(read, buffer.Length);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Sending();
            _inner.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Sending();
            // A request of a round writes here once it has its connection (a TLS handshake writes before it is open).
            return IsOpen && Round.Joined is { } request && request.Arrive()
                ? WriteOnceAllArrivedAsync(request, buffer, cancellationToken)
                : _inner.WriteAsync(buffer, cancellationToken);
        }

        public override void Flush() => _inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override async ValueTask DisposeAsync()
        {
            Closed();
            await _inner.DisposeAsync().ConfigureAwait(false);
            GC.SuppressFinalize(this);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Closed();
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private async ValueTask WriteOnceAllArrivedAsync(Round.Request request, ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
        {
            try
            {
                await request.AllArrived.WaitAsync(WarmupHttp.ConnectTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Every request of the round ends within its own deadline, this one included: write it anyway.
            }

            await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        private async ValueTask<int> ObserveAsync(ValueTask<int> read, int length)
        {
            try
            {
                return Observe(await read.ConfigureAwait(false), length);
            }
            catch
            {
                Closed();
                throw;
            }
        }

        // A zero-byte read (the pool's idle read-ahead) returns 0 when data arrives; only a real read's 0 is the end.
        private int Observe(int read, int length)
        {
            if (read == 0 && length > 0)
            {
                Closed();
            }
            else
            {
                var now = Touch();
                if (read > 0)
                {
                    _stamps?.Read(now);
                }
            }

            return read;
        }

        // A TLS handshake writes before the connection is open: a request's wire time starts with its own first byte.
        private void Sending()
        {
            var now = Touch();
            _stamps = IsOpen ? WireStamps.Current : null;
            _stamps?.Wrote(now);
        }

        private long Touch()
        {
            var now = Stopwatch.GetTimestamp();
            Volatile.Write(ref _lastUsed, now);
            return now;
        }

        private void Closed()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                authority.Remove(this);
            }
        }
    }
}
