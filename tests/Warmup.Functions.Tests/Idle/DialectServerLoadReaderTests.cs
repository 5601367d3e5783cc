using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Warmup.Core.Targets;
using Warmup.Functions.Configuration;
using Warmup.Functions.Idle;

namespace Warmup.Functions.Tests.Idle;

/// <summary>The load reader as the app registers it, against a loopback server: /metrics gets the key, redirects are not followed.</summary>
public sealed class DialectServerLoadReaderTests : IAsyncLifetime
{
    private const string Key = "sk-metrics-key-123";
    private WebApplication _server = null!;
    private string _baseUrl = null!;
    private readonly List<string?> _keyedAuthorization = [];
    private int _redirectTargetHits;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _server = builder.Build();
        const string metrics = "vllm:num_requests_running{model_name=\"m\"} 1\nvllm:num_requests_waiting{model_name=\"m\"} 0\nvllm:request_success_total{model_name=\"m\"} 7\n";
        _server.MapGet("/keyed/metrics", (HttpRequest r) =>
        {
            lock (_keyedAuthorization)
            {
                _keyedAuthorization.Add(r.Headers.Authorization.ToString());
            }

            return r.Headers.Authorization == $"Bearer {Key}" ? Results.Text(metrics) : Results.Unauthorized();
        });
        _server.MapGet("/moved/metrics", () => Results.Redirect("/elsewhere/metrics"));
        _server.MapGet("/elsewhere/metrics", () =>
        {
            Interlocked.Increment(ref _redirectTargetHits);
            return Results.Text(metrics);
        });
        await _server.StartAsync();
        _baseUrl = _server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
    }

    public async Task DisposeAsync()
    {
        await _server.StopAsync();
        await _server.DisposeAsync();
    }

    private ServiceProvider Services()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [AppSettingNames.Targets] = $$"""
                [ { "name": "keyed", "baseUrl": "{{_baseUrl}}/keyed/", "model": "m", "auth": { "apiKeySetting": "KEYED_KEY" } },
                  { "name": "moved", "baseUrl": "{{_baseUrl}}/moved/", "model": "m" } ]
                """,
            ["KEYED_KEY"] = Key,
        }).Build();
        return new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddWarmupFunctions(configuration).BuildServiceProvider();
    }

    private static WarmupTarget Target(ServiceProvider services, string name) =>
        services.GetRequiredService<ITargetCatalog>().Targets.Single(t => t.Name == name);

    [Fact]
    public async Task Metrics_of_a_target_with_an_api_key_are_requested_with_the_key()
    {
        await using var services = Services();
        var reader = services.GetRequiredService<IServerLoadReader>();

        var load = await reader.ReadAsync(Target(services, "keyed"), CancellationToken.None);

        Assert.Equal([$"Bearer {Key}"], _keyedAuthorization);
        Assert.NotNull(load);
        Assert.Equal(7, load.RequestsCompleted);
    }

    [Fact]
    public async Task A_redirect_from_metrics_is_not_followed()
    {
        await using var services = Services();
        var reader = services.GetRequiredService<IServerLoadReader>();

        var load = await reader.ReadAsync(Target(services, "moved"), CancellationToken.None);

        Assert.Null(load);
        Assert.Equal(0, _redirectTargetHits);
    }
}
