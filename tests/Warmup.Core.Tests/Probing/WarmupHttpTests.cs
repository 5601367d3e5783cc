using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using Warmup.Core.Orchestration;
using Warmup.Core.Probing;
using Warmup.Core.Targets;

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

    [Fact]
    public void Clients_built_here_count_their_connections_through_any_delegating_handler()
    {
        using var plain = WarmupHttp.CreateClient();
        using var authenticating = WarmupHttp.CreateClient(new TargetAuthenticatingHandler(Mock.Of<ITargetCatalog>(), NoAuthentication.Instance)
        {
            InnerHandler = WarmupHttp.CreateHandler(),
        });

        Assert.NotNull(OpenConnections.Of(plain));
        Assert.NotNull(OpenConnections.Of(authenticating));
    }

    [Fact]
    public void The_engines_client_counts_its_connections()
    {
        using var services = new ServiceCollection()
            .AddSingleton(Mock.Of<ITargetCatalog>())
            .AddWarmupEngine()
            .BuildServiceProvider();

        Assert.NotNull(OpenConnections.Of(services.GetRequiredService<HttpClient>()));
    }

    [Fact]
    public void A_client_whose_connections_cannot_be_counted_is_known_as_such()
    {
        // Not built here, or its connect callback replaced: the probe falls back to assuming what it opened.
        using var foreign = new HttpClient(WarmupHttp.CreateHandler());
        var handler = WarmupHttp.CreateHandler();
        using var replaced = WarmupHttp.CreateClient(handler);
        handler.ConnectCallback = (context, cancellationToken) => ValueTask.FromResult<Stream>(new MemoryStream());

        Assert.Null(OpenConnections.Of(foreign));
        Assert.Null(OpenConnections.Of(replaced));
    }
}
