using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Warmup.Core.Tests.TestSupport;

/// <summary>
/// A byte-level HTTP/1.1 server on 127.0.0.1 for responses Kestrel will not produce: resets, hangs, cut chunked bodies.
/// Each connection reads one request, then hands the socket to the script.
/// </summary>
public sealed class RawHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<Socket, string, CancellationToken, Task> _script;
    private readonly Task _acceptLoop;

    public RawHttpServer(Func<Socket, string, CancellationToken, Task> script)
    {
        _script = script;
        _listener.Start();
        BaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _acceptLoop = AcceptAsync();
    }

    public Uri BaseUrl { get; }

    public static Task SendAsync(Socket socket, string text) => socket.SendAsync(Encoding.UTF8.GetBytes(text));

    /// <summary>One HTTP/1.1 chunk holding <paramref name="payload"/>.</summary>
    public static string Chunk(string payload) => $"{Encoding.UTF8.GetByteCount(payload):x}\r\n{payload}\r\n";

    public const string ChunkedSseHeaders =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";

    /// <summary>Closes with RST instead of FIN.</summary>
    public static void Reset(Socket socket)
    {
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (socket)
                {
                    try
                    {
                        var request = await ReadRequestAsync(socket, _stop.Token);
                        await _script(socket, request, _stop.Token);
                    }
                    catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                    {
                    }
                }
            });
        }
    }

    private static async Task<string> ReadRequestAsync(Socket socket, CancellationToken cancellationToken)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        int headerEnd;
        while ((headerEnd = IndexOf(received, "\r\n\r\n"u8)) < 0)
        {
            var read = await socket.ReceiveAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return Encoding.UTF8.GetString(received.ToArray());
            }

            received.AddRange(buffer.AsSpan(0, read));
        }

        var head = Encoding.ASCII.GetString(received.ToArray(), 0, headerEnd);
        var length = head.Split("\r\n")
            .Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(l => int.Parse(l["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture))
            .FirstOrDefault();
        while (received.Count < headerEnd + 4 + length)
        {
            var read = await socket.ReceiveAsync(buffer, cancellationToken);
            if (read == 0)
            {
                break;
            }

            received.AddRange(buffer.AsSpan(0, read));
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }

    private static int IndexOf(List<byte> bytes, ReadOnlySpan<byte> pattern)
    {
        for (var i = 0; i + pattern.Length <= bytes.Count; i++)
        {
            var match = true;
            for (var j = 0; j < pattern.Length && match; j++)
            {
                match = bytes[i + j] == pattern[j];
            }

            if (match)
            {
                return i;
            }
        }

        return -1;
    }
}
