using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Warmup.Core.Dialects;
using Warmup.Core.Probing;
using Warmup.Core.Targets;
using Warmup.Core.Tests.TestSupport;

namespace Warmup.Core.Tests.Probing;

/// <summary>Side requests a dialect makes by itself must carry the target's key, and only that target's key.</summary>
public sealed class TargetAuthenticatingHandlerTests
{
    [Fact]
    public async Task Max_context_lookup_is_authenticated_with_the_targets_key()
    {
        var seen = new ConcurrentQueue<string?>();
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            seen.Enqueue(context.Request.Headers.Authorization.FirstOrDefault());
            if (context.Request.Headers.Authorization != "Bearer sk-secret")
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            await context.Response.WriteAsJsonAsync(new { data = new[] { new { id = "meta-llama/Llama-3.1-8B-Instruct", max_model_len = 16384 } } });
        });
        var target = TestTargets.At(server.BaseUrl) with { Auth = new TargetAuth { ApiKeySetting = "KEY" } };
        using var http = ClientFor(target);

        var maxContext = await DialectRegistry.Default.Get(DialectNames.OpenAi).GetMaxContextAsync(http, target, CancellationToken.None);

        Assert.Equal(16384, maxContext);
        Assert.Equal("Bearer sk-secret", Assert.Single(seen));
    }

    [Fact]
    public async Task Url_of_no_configured_target_gets_no_credentials()
    {
        var seen = new ConcurrentQueue<string?>();
        await using var server = await LoopbackServer.StartAsync(context =>
        {
            seen.Enqueue(context.Request.Headers.Authorization.FirstOrDefault());
            return Task.CompletedTask;
        });
        var elsewhere = TestTargets.At(new Uri(server.BaseUrl, "other-prefix/")) with { Auth = new TargetAuth { ApiKeySetting = "KEY" } };
        using var http = ClientFor(elsewhere);

        using var response = await http.GetAsync(new Uri(server.BaseUrl, "v1/models"));

        Assert.Null(Assert.Single(seen));
    }

    [Fact]
    public async Task A_metrics_url_on_its_own_port_is_configured_too_so_the_load_reading_gets_the_targets_key_there()
    {
        var seen = new ConcurrentQueue<string?>();
        await using var metrics = await LoopbackServer.StartAsync(async context =>
        {
            seen.Enqueue(context.Request.Headers.Authorization.FirstOrDefault());
            await context.Response.WriteAsync("nv_inference_request_success{model=\"m\",version=\"1\"} 7\n");
        });
        // The inference API is elsewhere (Triton's 8000); only the metrics URL (its 8002) is on this server.
        var target = TestTargets.At(new Uri("http://127.0.0.1:9/")) with
        {
            Dialect = DialectNames.Triton,
            MetricsUrl = new Uri(metrics.BaseUrl, "metrics"),
            Auth = new TargetAuth { ApiKeySetting = "KEY" },
        };
        using var http = ClientFor(target);

        var load = await DialectRegistry.Default.Get(DialectNames.Triton).GetLoadAsync(http, target, CancellationToken.None);

        Assert.Equal(7, load!.RequestsCompleted);
        Assert.Equal("Bearer sk-secret", Assert.Single(seen));
    }

    [Fact]
    public async Task Explicit_credentials_are_left_alone()
    {
        var seen = new ConcurrentQueue<string?>();
        await using var server = await LoopbackServer.StartAsync(context =>
        {
            seen.Enqueue(context.Request.Headers.Authorization.FirstOrDefault());
            return Task.CompletedTask;
        });
        var target = TestTargets.At(server.BaseUrl) with { Auth = new TargetAuth { ApiKeySetting = "KEY" } };
        using var http = ClientFor(target);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseUrl, "health"));
        request.Headers.Authorization = new("Bearer", "already-set");

        using var response = await http.SendAsync(request);

        Assert.Equal("Bearer already-set", Assert.Single(seen));
    }

    private static HttpClient ClientFor(WarmupTarget target) =>
        WarmupHttp.CreateClient(new TargetAuthenticatingHandler(new OneTarget(target), new EnvironmentApiKeyAuthenticator(name => name == "KEY" ? "sk-secret" : null))
        {
            InnerHandler = WarmupHttp.CreateHandler(),
        });

    private sealed class OneTarget(WarmupTarget target) : ITargetCatalog
    {
        public IReadOnlyList<WarmupTarget> Targets => [target];

        public IReadOnlyList<string> Problems => [];

        public bool TryGet(string name, [NotNullWhen(true)] out WarmupTarget? found)
        {
            found = name == target.Name ? target : null;
            return found is not null;
        }
    }
}
