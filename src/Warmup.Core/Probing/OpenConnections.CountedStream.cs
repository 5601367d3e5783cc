using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Warmup.Core.Probing;

internal sealed partial class OpenConnections
{
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
