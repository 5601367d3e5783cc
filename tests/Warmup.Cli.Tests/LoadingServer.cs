using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Warmup.Cli.Tests;

/// <summary>A loopback server that answers every request like llama.cpp while it loads: 503 "Loading model".</summary>
internal sealed class LoadingServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly TaskCompletionSource _firstRequest = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _loop;

    private LoadingServer(int port)
    {
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseUrl.ToString());
        _listener.Start();
        _loop = ServeAsync();
    }

    public Uri BaseUrl { get; }

    /// <summary>
    /// Completes when the first request other than GET /metrics has been answered: a run is then in its readiness wait
    /// (it reads /metrics first, to check users' traffic).
    /// </summary>
    public Task FirstRequest => _firstRequest.Task;

    public static Task<LoadingServer> StartAsync()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return Task.FromResult(new LoadingServer(port));
    }

    private async Task ServeAsync()
    {
        var body = Encoding.UTF8.GetBytes("""{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}""");
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            var metrics = context.Request.Url?.AbsolutePath == "/metrics";
            try
            {
                context.Response.StatusCode = 503;
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
            {
                // The client hung up first (a run stopped by a signal closes its connections): nothing to answer.
                continue;
            }

            if (!metrics)
            {
                _firstRequest.TrySetResult();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
