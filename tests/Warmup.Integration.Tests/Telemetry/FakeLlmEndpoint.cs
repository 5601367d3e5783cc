using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Warmup.Integration.Tests.Telemetry;

/// <summary>
/// A minimal streaming completions endpoint on loopback: a few SSE chunks then [DONE], or 503 when asked to fail.
/// It keeps what it was sent so a test can prove the secret and the prompt really travelled.
/// </summary>
internal sealed class FakeLlmEndpoint : IAsyncDisposable
{
    public const string FailHeader = "X-Test-Fail";
    public const int Chunks = 4;

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string? Authorization, string Body)> _received = new();

    private FakeLlmEndpoint(WebApplication app) => _app = app;

    public Uri CompletionsUri { get; private set; } = null!;

    public IReadOnlyList<(string? Authorization, string Body)> Received => [.. _received];

    public static async Task<FakeLlmEndpoint> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var endpoint = new FakeLlmEndpoint(app);
        app.MapPost("/v1/completions", endpoint.CompleteAsync);
        await app.StartAsync();
        endpoint.CompletionsUri = new Uri(app.Urls.Single().TrimEnd('/') + "/v1/completions");
        return endpoint;
    }

    private async Task CompleteAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        _received.Enqueue((context.Request.Headers.Authorization.ToString(), await reader.ReadToEndAsync()));
        if (context.Request.Headers.ContainsKey(FailHeader))
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        context.Response.ContentType = "text/event-stream";
        for (var i = 0; i < Chunks; i++)
        {
            await context.Response.WriteAsync($"data: {{\"choices\":[{{\"text\":\"t{i}\"}}]}}\n\n");
            await context.Response.Body.FlushAsync();
            await Task.Delay(3);
        }

        await context.Response.WriteAsync("data: [DONE]\n\n");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
