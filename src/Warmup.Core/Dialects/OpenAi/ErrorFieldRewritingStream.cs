using System.Buffers;

namespace Warmup.Core.Dialects.OpenAi;

/// <summary>
/// Older llama.cpp (before mid-2025) writes stream errors as an <c>error: {json}</c> line. The SSE spec ignores unknown
/// field names, so a conforming parser would drop the error and the stream would look merely truncated. This read-only
/// wrapper turns such a line into <c>event: error</c> + <c>data: {json}</c> so the parser reports a typed error event.
/// Every other byte passes through unchanged. The inner stream stays open: its owner disposes it.
/// </summary>
internal sealed class ErrorFieldRewritingStream(Stream inner) : Stream
{
    private static ReadOnlySpan<byte> ErrorField => "error:"u8;

    private static ReadOnlySpan<byte> Replacement => "event: error\ndata:"u8;

    private const int ChunkSize = 4 * 1024;

    private byte[] _input = ArrayPool<byte>.Shared.Rent(ChunkSize);
    // Worst case every 6 input bytes become 18 output bytes, plus a held-back partial "error:" prefix.
    private byte[] _output = ArrayPool<byte>.Shared.Rent((ChunkSize * 3) + 16);
    private int _outputStart;
    private int _outputEnd;
    private bool _atLineStart = true;
    private int _matched;
    private bool _eof;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_outputStart == _outputEnd && !_eof)
        {
            var read = await inner.ReadAsync(_input.AsMemory(0, ChunkSize), cancellationToken).ConfigureAwait(false);
            _outputStart = 0;
            _outputEnd = read == 0 ? Finish() : Transform(_input.AsSpan(0, read));
            _eof = read == 0;
        }

        var count = Math.Min(buffer.Length, _outputEnd - _outputStart);
        _output.AsSpan(_outputStart, count).CopyTo(buffer.Span);
        _outputStart += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && _input.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_input);
            ArrayPool<byte>.Shared.Return(_output);
            _input = [];
            _output = [];
        }

        base.Dispose(disposing);
    }

    private int Transform(ReadOnlySpan<byte> input)
    {
        var output = _output.AsSpan();
        var written = 0;
        var i = 0;
        while (i < input.Length)
        {
            if (_atLineStart || _matched > 0)
            {
                var b = input[i];
                if (b == ErrorField[_matched])
                {
                    i++;
                    if (++_matched == ErrorField.Length)
                    {
                        Replacement.CopyTo(output[written..]);
                        written += Replacement.Length;
                        _matched = 0;
                        _atLineStart = false;
                    }

                    continue;
                }

                // Not an error field after all: give back what was held, then carry on with this byte.
                ErrorField[.._matched].CopyTo(output[written..]);
                written += _matched;
                _matched = 0;
                _atLineStart = false;
            }

            // Copy up to and including the next line end in one go; the byte after it starts a line.
            var rest = input[i..];
            var lineEnd = rest.IndexOfAny((byte)'\n', (byte)'\r');
            var take = lineEnd < 0 ? rest.Length : lineEnd + 1;
            rest[..take].CopyTo(output[written..]);
            written += take;
            i += take;
            _atLineStart = lineEnd >= 0;
        }

        return written;
    }

    private int Finish()
    {
        ErrorField[.._matched].CopyTo(_output);
        var written = _matched;
        _matched = 0;
        return written;
    }
}
