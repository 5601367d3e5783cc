using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Warmup.Core.Orchestration;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;

namespace Warmup.Cli.Hosting;

/// <summary>
/// Runs the production orchestrator and activities on an in-process Durable Task engine, so the CLI and the
/// Functions app share one flow. The engine is Microsoft.DurableTask.InProcessTestHost: an in-memory backend
/// with a loopback gRPC sidecar.
/// </summary>
internal sealed class EmbeddedWarmupEngine : IAsyncDisposable
{
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(200);
    private readonly DurableTaskTestHost _host;

    private EmbeddedWarmupEngine(DurableTaskTestHost host) => _host = host;

    public static async Task<EmbeddedWarmupEngine> StartAsync(Action<IServiceCollection> configureServices, CancellationToken cancellationToken)
    {
        // The sidecar's host reads logging levels from the environment; without this it prints ~100 info lines per run.
        Environment.SetEnvironmentVariable("Logging__LogLevel__Default", "Warning");
        Environment.SetEnvironmentVariable("Logging__LogLevel__Microsoft", "Error");

        var host = await DurableTaskTestHost.StartAsync(
            registry => registry.AddWarmupTasks(),
            new DurableTaskTestHostOptions
            {
                ConfigureServices = services =>
                {
                    services.AddWarmupEngine();
                    configureServices(services);
                },
            },
            cancellationToken);
        return new EmbeddedWarmupEngine(host);
    }

    /// <summary>Runs one warm-up to completion, reporting the orchestration's custom status as it changes.</summary>
    public async Task<WarmupReport> RunAsync(WarmupRequest request, IProgress<WarmupProgress> progress, CancellationToken cancellationToken)
    {
        var instanceId = TaskNames.InstanceIdFor(request.Target);
        await _host.Client.ScheduleNewOrchestrationInstanceAsync(
            TaskNames.WarmupOrchestration, request, new StartOrchestrationOptions(instanceId), cancellationToken);

        string? lastStatus = null;
        while (true)
        {
            var instance = await _host.Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken)
                ?? throw new InvalidOperationException($"warm-up instance {instanceId} disappeared");

            if (instance.SerializedCustomStatus is { } status && status != lastStatus)
            {
                lastStatus = status;
                if (instance.ReadCustomStatusAs<WarmupProgress>() is { } current)
                {
                    progress.Report(current);
                }
            }

            switch (instance.RuntimeStatus)
            {
                case OrchestrationRuntimeStatus.Completed:
                    return instance.ReadOutputAs<WarmupReport>()
                        ?? throw new InvalidOperationException("the warm-up finished without a report");
                case OrchestrationRuntimeStatus.Failed:
                case OrchestrationRuntimeStatus.Terminated:
                    throw new InvalidOperationException(
                        $"the warm-up orchestration {instance.RuntimeStatus.ToString().ToLowerInvariant()}: {instance.FailureDetails?.ErrorMessage}");
            }

            await Task.Delay(s_pollInterval, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();
}
