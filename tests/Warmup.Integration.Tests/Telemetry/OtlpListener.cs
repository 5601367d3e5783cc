using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Warmup.Integration.Tests.Telemetry;

/// <summary>A loopback OTLP/HTTP receiver: records each POST's path, content type and protobuf body.</summary>
internal sealed class OtlpListener : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Path, string? ContentType, byte[] Body)> _requests = new();

    private OtlpListener(WebApplication app) => _app = app;

    public string Endpoint { get; private set; } = "";

    public IReadOnlyList<(string Path, string? ContentType, byte[] Body)> Requests => [.. _requests];

    public static async Task<OtlpListener> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var listener = new OtlpListener(app);
        app.MapPost("/{**path}", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            listener._requests.Enqueue((context.Request.Path.Value ?? "", context.Request.ContentType, buffer.ToArray()));
            // An empty Export*ServiceResponse is a zero-length protobuf message: full success.
            return Results.Bytes([], "application/x-protobuf");
        });
        await app.StartAsync();
        listener.Endpoint = app.Urls.Single().TrimEnd('/');
        return listener;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
