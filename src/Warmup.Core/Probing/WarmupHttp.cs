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

    public static SocketsHttpHandler CreateHandler() => new()
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
    };

    public static HttpClient CreateClient() => CreateClient(CreateHandler());

    public static HttpClient CreateClient(HttpMessageHandler handler, bool disposeHandler = true) => new(handler, disposeHandler)
    {
        Timeout = Timeout.InfiniteTimeSpan,
        DefaultRequestVersion = HttpVersion.Version11,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };
}
