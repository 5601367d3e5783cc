using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Warmup.Bench.Readiness;

/// <summary>
/// A server that starts like vLLM (port bound, connections refused until <c>listen()</c>) or like llama.cpp (listening,
/// 503 until its model is loaded), then answers 200. Raw sockets, so the moment it starts answering is stamped exactly.
/// </summary>
internal sealed class ScriptedReadinessServer : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();
    private long _readyAt = long.MaxValue;

    public ScriptedReadinessServer()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        BaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)_socket.LocalEndPoint!).Port}/");
    }

    public Uri BaseUrl { get; }

    /// <summary>Stopwatch timestamp from which the server answers 200.</summary>
    public long ReadyAt => Interlocked.Read(ref _readyAt);

    /// <summary>Refuses connections for <paramref name="delay"/>, then listens and answers 200 at once.</summary>
    public void ListenAfter(TimeSpan delay) => Start(delay, TimeSpan.Zero);

    /// <summary>Listens at once, answers 503 for <paramref name="delay"/>, then 200.</summary>
    public void LoadingFor(TimeSpan delay) => Start(TimeSpan.Zero, delay);

    private void Start(TimeSpan listenAfter, TimeSpan loadingFor)
    {
        _ = Task.Run(async () =>
        {
            await Task.Delay(listenAfter, _stop.Token);
            _socket.Listen(64);
            var listening = Stopwatch.GetTimestamp();
            Interlocked.Exchange(ref _readyAt, listening + (long)(loadingFor.TotalSeconds * Stopwatch.Frequency));
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
            try
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

                var status = Stopwatch.GetTimestamp() >= ReadyAt ? "200 OK" : "503 Service Unavailable";
                await client.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), SocketFlags.None, _stop.Token);
                client.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                // The gate gave up on this poll or the benchmark ended.
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _stop.Dispose();
    }
}
