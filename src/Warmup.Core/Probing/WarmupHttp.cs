using System.Net;

namespace Warmup.Core.Probing;

/// <summary>
/// The HTTP stack every probe shares. Tuned so the client adds no latency of its own to what it measures:
/// no pool limit (a hidden client-side queue would inflate TTFT), no decompression (buffers streams), HTTP/1.1 keep-alive
/// like the servers speak, and no client-wide timeout (the probe applies a per-request one).
/// </summary>
public static class WarmupHttp
{
    /// <summary>
    /// Below the 5 s keep-alive of uvicorn (vLLM, SGLang) and llama.cpp: the client drops an idle connection before the
    /// server can, so a request never lands on a socket the server is closing. The probe does not retry, so that race
    /// would otherwise show up as a spurious connection reset.
    /// </summary>
    public static readonly TimeSpan PooledConnectionIdleTimeout = TimeSpan.FromSeconds(4);

    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The handler behind every probe's client. It counts its open connections (<see cref="OpenConnections"/>), so a
    /// probe on a client from <see cref="CreateClient(HttpMessageHandler, bool)"/> opens exactly the connections a burst
    /// will find missing (<see cref="TargetConnections"/>).
    /// </summary>
    public static SocketsHttpHandler CreateHandler() => CreateHandler(new OpenConnections());

    internal static SocketsHttpHandler CreateHandler(OpenConnections connections) => new()
    {
        AutomaticDecompression = DecompressionMethods.None,
        MaxConnectionsPerServer = int.MaxValue,
        PooledConnectionIdleTimeout = PooledConnectionIdleTimeout,
        // Re-resolve DNS now and then: endpoints behind a load balancer move when they are redeployed.
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = ConnectTimeout,
        // Only configured URLs are ever contacted: a redirect could send the request (and its key) elsewhere.
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        // Opens the socket as the handler would; counts the connections (see OpenConnections).
        ConnectCallback = connections.ConnectAsync,
        PlaintextStreamFilter = connections.FilterAsync,
    };

    public static HttpClient CreateClient() => CreateClient(CreateHandler());

    public static HttpClient CreateClient(HttpMessageHandler handler, bool disposeHandler = true)
    {
        var client = new HttpClient(handler, disposeHandler)
        {
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        // The client hides its handler: remember the pool, so a probe on this client can count its connections.
        OpenConnections.Track(client, handler);
        return client;
    }
}
