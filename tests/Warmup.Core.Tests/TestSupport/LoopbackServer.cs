using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Warmup.Core.Tests.TestSupport;

/// <summary>A real Kestrel server on 127.0.0.1 with an ephemeral port.</summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public static Task<LoopbackServer> StartAsync(Action<WebApplication> map) => StartAsync(map, connections: null);

    /// <summary>
    /// With <paramref name="connections"/> in front of every accepted connection (before any request on it is read):
    /// to count the connections a client opens, or close one.
    /// </summary>
    public static async Task<LoopbackServer> StartAsync(Action<WebApplication> map, Func<ConnectionDelegate, ConnectionDelegate>? connections)
    {
        var builder = WebApplication.CreateSlimBuilder();
        if (connections is null)
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }
        else
        {
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Use(connections)));
        }

        builder.Logging.ClearProviders();
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoopbackServer(app, new Uri(address + "/"));
    }

    /// <summary>Serves one handler for every request.</summary>
    public static Task<LoopbackServer> StartAsync(RequestDelegate handler) => StartAsync(app => app.Run(handler));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public static class SseResponse
{
    public static async Task StartAsync(HttpResponse response, string contentType = "text/event-stream; charset=utf-8")
    {
        response.ContentType = contentType;
        await response.StartAsync();
        await response.Body.FlushAsync();
    }

    public static async Task WriteAsync(HttpResponse response, string text)
    {
        await response.WriteAsync(text);
        await response.Body.FlushAsync();
    }
}
