using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Warmup.Core.Tests.Readiness;

/// <summary>
/// Reproduces vLLM's start-up at the socket level: the port is bound at once but listen() is only called later,
/// so connects are refused (RST) until then. Afterwards it answers every request with 200 and an empty body.
/// Kestrel cannot do this (it binds and listens in one step), hence a raw socket.
/// </summary>
internal sealed class BoundNotListeningServer : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();

    public BoundNotListeningServer()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        BaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)_socket.LocalEndPoint!).Port}/");
    }

    public Uri BaseUrl { get; }

    /// <summary>Request lines served, e.g. "GET /health HTTP/1.1".</summary>
    public IReadOnlyCollection<string> Served => _served;

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _served = new();

    /// <summary>Starts listening after <paramref name="delay"/> (never, when null).</summary>
    public void ListenAfter(TimeSpan? delay)
    {
        if (delay is null)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            await Task.Delay(delay.Value, _stop.Token);
            _socket.Listen(16);
            while (!_stop.IsCancellationRequested)
            {
                var client = await _socket.AcceptAsync(_stop.Token);
                _ = ServeAsync(client);
            }
        });
    }

    private async Task ServeAsync(Socket client)
    {
        using (client)
        {
            var buffer = new byte[4096];
            var received = new StringBuilder();
            while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await client.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
            var text = received.ToString();
            _served.Enqueue(text[..text.IndexOf("\r\n", StringComparison.Ordinal)]);
            await client.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), SocketFlags.None, _stop.Token);
            client.Shutdown(SocketShutdown.Both);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _stop.Dispose();
    }
}
