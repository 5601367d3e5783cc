using System.Net;
using Warmup.Core.Probing;

namespace Warmup.Core.Tests.Probing;

public sealed class WarmupHttpTests
{
    [Fact]
    public void Handler_adds_no_queue_no_decompression_and_no_redirects()
    {
        using var handler = WarmupHttp.CreateHandler();

        Assert.Equal(DecompressionMethods.None, handler.AutomaticDecompression);
        Assert.Equal(int.MaxValue, handler.MaxConnectionsPerServer);
        Assert.False(handler.AllowAutoRedirect);
        Assert.Equal(TimeSpan.FromSeconds(10), handler.ConnectTimeout);
        Assert.True(handler.PooledConnectionIdleTimeout < TimeSpan.FromSeconds(5), "must drop idle connections before uvicorn/llama.cpp do");
    }

    [Fact]
    public void Client_speaks_http11_and_leaves_timeouts_to_the_probe()
    {
        using var client = WarmupHttp.CreateClient();

        Assert.Equal(Timeout.InfiniteTimeSpan, client.Timeout);
        Assert.Equal(HttpVersion.Version11, client.DefaultRequestVersion);
        Assert.Equal(HttpVersionPolicy.RequestVersionExact, client.DefaultVersionPolicy);
    }
}
