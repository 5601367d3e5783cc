using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Warmup.Cli.Hosting;
using Warmup.Core.Analysis;
using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;

namespace Warmup.Bench.Engine;

/// <summary>
/// The product's orchestration on the embedded in-process Durable engine, hosted the way the CLI hosts it:
/// <see cref="DurableTaskRegistryExtensions.AddWarmupTasks"/> and <see cref="ServiceCollectionExtensions.AddWarmupEngine"/>,
/// runs through <see cref="EmbeddedWarmupEngine"/>. The only addition is <see cref="VerifyOnlyOrchestrator"/> for the
/// no-warm-up case. One engine serves the whole benchmark; targets are added as simulators start.
/// </summary>
internal sealed class BenchEngine : IAsyncDisposable
{
    private readonly DurableTaskTestHost _host;
    private readonly BenchTargetCatalog _catalog;

    private BenchEngine(DurableTaskTestHost host, BenchTargetCatalog catalog)
    {
        _host = host;
        _catalog = catalog;
    }

    public static async Task<BenchEngine> StartAsync(CancellationToken cancellationToken)
    {
        // The test host's gRPC sidecar builds its own ASP.NET Core host with default (console, Information) logging and
        // takes its configuration from the environment; one line per gRPC call would cost CPU in the measurement.
        if (Environment.GetEnvironmentVariable("Logging__LogLevel__Default") is null)
        {
            Environment.SetEnvironmentVariable("Logging__LogLevel__Default", "Warning");
        }

        var catalog = new BenchTargetCatalog();
        var host = await FreePortTestHost.StartAsync(
            registry => registry.AddWarmupTasks().AddOrchestrator<VerifyOnlyOrchestrator>(VerifyOnlyOrchestrator.Name),
            port => new DurableTaskTestHostOptions
            {
                Port = port,
                // The engine logs every dispatch; the benchmark prints its own summary.
                LoggerFactory = NullLoggerFactory.Instance,
                ConfigureServices = services =>
                {
                    services.AddWarmupEngine();
                    services.AddSingleton<ITargetCatalog>(catalog);
                    services.AddLogging(b => b.ClearProviders());
                },
            },
            cancellationToken);
        return new BenchEngine(host, catalog);
    }

    public void AddTarget(WarmupTarget target) => _catalog.Add(target);

    /// <summary>A whole warm-up (readiness, plan, verify, record), exactly as <c>warmup run</c> does it.</summary>
    public Task<WarmupReport> RunWarmupAsync(string target, PlanSpec plan, double threshold, CancellationToken cancellationToken)
        => new EmbeddedWarmupEngine(_host.Client) { PollInterval = TimeSpan.FromMilliseconds(50) }
            .RunAsync(new WarmupRequest(target, WarmupReasons.Manual, plan, $"bench-{target}", threshold), cancellationToken: cancellationToken);

    /// <summary>Readiness then verification only (the no-warm-up case).</summary>
    public async Task<VerifyOnlyResult> RunVerifyOnlyAsync(string target, double threshold, CancellationToken cancellationToken, VerificationPlan? mix = null)
    {
        var id = await _host.Client.ScheduleNewOrchestrationInstanceAsync(
            VerifyOnlyOrchestrator.Name, new VerifyOnlyRequest(target, threshold, $"bench-{target}", mix), cancellationToken);
        var done = await _host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, cancellationToken);
        if (done.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
        {
            throw new InvalidOperationException($"verify-only run {id} ended {done.RuntimeStatus}: {done.FailureDetails?.ErrorMessage}");
        }

        return done.ReadOutputAs<VerifyOnlyResult>() ?? throw new InvalidOperationException($"verify-only run {id} returned nothing");
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();
}
