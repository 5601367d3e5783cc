using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Warmup.Integration.Tests.Reliability;

/// <summary>
/// Answers readiness, then reflects the Authorization header it was sent in every other answer, as a misconfigured gateway
/// does: the canary key scans' way of putting the key into what the run sees. Linked into Warmup.Functions.Tests too.
/// </summary>
internal sealed class ReflectingServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ReflectingServer(WebApplication app) => _app = app;

    public ConcurrentBag<string> Seen { get; } = [];

    public Uri BaseUrl { get; private set; } = null!;

    public static async Task<ReflectingServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new ReflectingServer(app);
        app.MapGet("/health", () => Results.Ok());
        app.MapFallback(async ctx =>
        {
            var auth = ctx.Request.Headers.Authorization.ToString();
            server.Seen.Add(auth);
            ctx.Response.StatusCode = 401;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync($$$"""{"error":{"message":"invalid api key '{{{auth}}}'","type":"auth","code":401}}""");
        });
        await app.StartAsync();
        server.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        return server;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
