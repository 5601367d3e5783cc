using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Warmup.Bench;

/// <summary>
/// A minimal keep-alive HTTP/1.1 server on raw sockets that answers every request with an OpenAI-style SSE stream.
/// It writes the first token as its own chunk and stamps <see cref="Stopwatch.GetTimestamp"/> right after the send
/// returns, keyed by the request's correlation header, so the client's first-token stamp (same process, same clock)
/// minus this one is the time the probe itself adds. Raw sockets keep server work (and its share of the 2 cores) small.
/// </summary>
internal sealed class ProbeOverheadServer : IAsyncDisposable
{
    private static readonly byte[] Headers = Encoding.ASCII.GetBytes(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n");

    private static readonly byte[] FirstToken = Chunk("data: {\"id\":\"cmpl-bench\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\" Paris\",\"logprobs\":null,\"finish_reason\":null}]}\n\n");

    private static readonly byte[] Rest = [
        .. Chunk("data: {\"id\":\"cmpl-bench\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\".\",\"logprobs\":null,\"finish_reason\":null}]}\n\n"),
        .. Chunk("data: {\"id\":\"cmpl-bench\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\" It\",\"logprobs\":null,\"finish_reason\":null}]}\n\n"),
        .. Chunk("data: {\"id\":\"cmpl-bench\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\" is\",\"logprobs\":null,\"finish_reason\":\"length\"}]}\n\n"),
        .. Chunk("data: {\"id\":\"cmpl-bench\",\"object\":\"text_completion\",\"choices\":[],\"usage\":{\"prompt_tokens\":6,\"total_tokens\":10,\"completion_tokens\":4}}\n\n"),
        .. Chunk("data: [DONE]\n\n"),
        .. "0\r\n\r\n"u8,
    ];

    private static ReadOnlySpan<byte> CorrelationHeader => "\r\nX-Warmup-Request: "u8;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, long> _firstTokenSent = new();
    private readonly Task _acceptLoop;

    private readonly TimeSpan _prefill;
    private readonly int _jitterMs;

    /// <param name="prefill">Pause between headers and the first token, like a server's prefill; zero answers at once.</param>
    /// <param name="jitter">Up to this much extra pause, drawn per request, so first tokens of concurrent requests do not all land in one timer tick.</param>
    public ProbeOverheadServer(TimeSpan prefill, TimeSpan jitter)
    {
        _prefill = prefill;
        _jitterMs = (int)jitter.TotalMilliseconds;
        _listener.Start(1024);
        BaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _acceptLoop = AcceptAsync();
    }

    public Uri BaseUrl { get; }

    public bool TryTakeFirstTokenSent(string correlationId, out long timestamp) => _firstTokenSent.TryRemove(correlationId, out timestamp);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private static byte[] Chunk(string payload)
    {
        var bytes = Encoding.UTF8.GetBytes(payload);
        return [.. Encoding.ASCII.GetBytes($"{bytes.Length:x}\r\n"), .. bytes, .. "\r\n"u8];
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            // Without NoDelay the first-token chunk would wait behind the headers for a delayed ACK (Nagle).
            socket.NoDelay = true;
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        var buffer = new byte[64 * 1024];
        var filled = 0;
        try
        {
            while (true)
            {
                int headerEnd;
                while ((headerEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
                {
                    var read = await socket.ReceiveAsync(buffer.AsMemory(filled), _stop.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return;
                    }

                    filled += read;
                }

                var (correlationId, contentLength) = ReadHead(buffer.AsSpan(0, headerEnd));
                var total = headerEnd + 4 + contentLength;
                while (filled < total)
                {
                    var read = await socket.ReceiveAsync(buffer.AsMemory(filled), _stop.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return;
                    }

                    filled += read;
                }

                buffer.AsSpan(total, filled - total).CopyTo(buffer);
                filled -= total;

                await socket.SendAsync(Headers, _stop.Token).ConfigureAwait(false);
                if (_prefill > TimeSpan.Zero)
                {
                    await Task.Delay(_prefill + TimeSpan.FromMilliseconds(_jitterMs > 0 ? Random.Shared.Next(_jitterMs) : 0), _stop.Token).ConfigureAwait(false);
                }

                await socket.SendAsync(FirstToken, _stop.Token).ConfigureAwait(false);
                _firstTokenSent[correlationId] = Stopwatch.GetTimestamp();
                await socket.SendAsync(Rest, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private static (string CorrelationId, int ContentLength) ReadHead(ReadOnlySpan<byte> head)
    {
        var id = HeaderValue(head, CorrelationHeader);
        var length = HeaderValue(head, "\r\nContent-Length: "u8);
        return (Encoding.ASCII.GetString(id), length.IsEmpty ? 0 : int.Parse(Encoding.ASCII.GetString(length), System.Globalization.CultureInfo.InvariantCulture));
    }

    private static ReadOnlySpan<byte> HeaderValue(ReadOnlySpan<byte> head, ReadOnlySpan<byte> name)
    {
        var start = head.IndexOf(name);
        if (start < 0)
        {
            return [];
        }

        var value = head[(start + name.Length)..];
        var end = value.IndexOf("\r\n"u8);
        return end < 0 ? value : value[..end];
    }
}
