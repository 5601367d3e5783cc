using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Warmup.Core.Reporting;
using Warmup.Integration.Tests.Orchestration;

namespace Warmup.Integration.Tests.Reliability;

/// <summary>
/// SSRF through a target: a configured target that redirects every request (generation, /v1/models, /tokenize, /metrics)
/// to another host. A whole warm-up runs and the other host receives nothing; the redirects are counted as failures.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class RedirectTests
{
    [Fact]
    public async Task A_target_that_redirects_elsewhere_sends_nothing_there_and_the_run_ends_with_its_report()
    {
        await using var elsewhere = await Server.StartAsync(_ => Results.Ok());
        await using var target = await Server.StartAsync(ctx => ctx.Request.Path == "/health"
            ? Results.Ok()
            : Results.Redirect(new Uri(elsewhere.BaseUrl, ctx.Request.Path.Value!.TrimStart('/')).ToString(), permanent: false, preserveMethod: true));

        var (report, _) = await FaultRun.RunAsync(WarmupHost.Target("redirecting", target.BaseUrl) with
        {
            Limits = new Core.Targets.TargetLimits { MaxConcurrency = 4, ReadyDeadline = TimeSpan.FromSeconds(10), RequestTimeout = TimeSpan.FromSeconds(2) },
        });

        Assert.Empty(elsewhere.Paths);
        Assert.Contains(target.Paths, p => p == "/v1/completions");
        Assert.Equal(RunOutcomes.Aborted, report.Outcome);
        Assert.Equal(3, report.Totals.ErrorsByOutcome["HttpError:307"]);
    }

    private sealed class Server : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private Server(WebApplication app) => _app = app;

        public ConcurrentQueue<string> Paths { get; } = new();

        public Uri BaseUrl { get; private set; } = null!;

        public static async Task<Server> StartAsync(Func<HttpContext, IResult> answer)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var server = new Server(app);
            app.Run(async ctx =>
            {
                server.Paths.Enqueue(ctx.Request.Path.Value ?? "");
                await answer(ctx).ExecuteAsync(ctx);
            });
            await app.StartAsync();
            server.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
            return server;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
