using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Warmup.Functions.Tests.Support;

/// <summary>A loopback Kestrel server answering GET /metrics with vLLM-style Prometheus text whose numbers a test sets.</summary>
internal sealed class MetricsServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MetricsServer(WebApplication app) => _app = app;

    public double Running { get; set; }
    public double Waiting { get; set; }
    public double Succeeded { get; set; }
    public int Scrapes { get; private set; }

    public Uri BaseUrl { get; private set; } = null!;

    public static async Task<MetricsServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new MetricsServer(app);
        app.MapGet("/metrics", () =>
        {
            server.Scrapes++;
            var text = $"""
                # HELP vllm:num_requests_running Number of requests in model execution batches.
                # TYPE vllm:num_requests_running gauge
                vllm:num_requests_running{"{"}engine="0",model_name="test-model"{"}"} {server.Running}
                # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
                # TYPE vllm:num_requests_waiting gauge
                vllm:num_requests_waiting{"{"}engine="0",model_name="test-model"{"}"} {server.Waiting}
                # HELP vllm:request_success_total Count of successfully processed requests.
                # TYPE vllm:request_success_total counter
                vllm:request_success_total{"{"}engine="0",finished_reason="length",model_name="test-model"{"}"} {server.Succeeded}
                vllm:request_success_total{"{"}engine="0",finished_reason="stop",model_name="test-model"{"}"} 0

                """;
            return Results.Text(text, "text/plain; version=0.0.4");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
