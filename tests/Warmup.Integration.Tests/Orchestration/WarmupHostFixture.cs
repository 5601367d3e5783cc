using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Warmup.Cli.Hosting;
using Warmup.Core.Adaptive;
using Warmup.Core.Orchestration;
using Warmup.Core.Reliability;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;

namespace Warmup.Integration.Tests.Orchestration;

/// <summary>Starts the in-process Durable engine with the real orchestrator and activities, the way the CLI hosts it.</summary>
internal static class WarmupHost
{
    public static Task<DurableTaskTestHost> StartAsync(
        ITargetCatalog catalog, IEnumerable<IWarmupResultSink> sinks, ActivityJournal? journal = null, Action<IServiceCollection>? configure = null)
        => FreePortTestHost.StartAsync(
            registry =>
            {
                if (journal is null)
                {
                    registry.AddWarmupTasks();
                    return;
                }

                registry.AddOrchestrator<WarmupOrchestrator>(TaskNames.WarmupOrchestration);
                journal.Wrap<WaitUntilReadyActivity>(registry, TaskNames.WaitUntilReady);
                journal.Wrap<ResolvePlanActivity>(registry, TaskNames.ResolvePlan);
                journal.Wrap<RunStepActivity>(registry, TaskNames.RunStep);
                journal.Wrap<VerifyActivity>(registry, TaskNames.Verify);
                journal.Wrap<RecordActivity>(registry, TaskNames.Record);
                journal.Wrap<ReadLoadActivity>(registry, TaskNames.ReadLoad);
                journal.Wrap<PlanRoundActivity>(registry, TaskNames.PlanRound);
                journal.Wrap<SaveShapeMapActivity>(registry, TaskNames.SaveShapeMap);
            },
            port => new DurableTaskTestHostOptions
            {
                Port = port,
                ConfigureServices = services =>
                {
                    configure?.Invoke(services);
                    services.AddWarmupEngine();
                    services.AddSingleton(catalog);
                    foreach (var sink in sinks)
                    {
                        services.AddSingleton(sink);
                    }
                },
            });

    public static WarmupTarget Target(string name, Uri baseUrl, int maxConcurrency = 4, TimeSpan? readyDeadline = null) => new()
    {
        Name = name,
        BaseUrl = baseUrl,
        Model = "tiny",
        Limits = new TargetLimits
        {
            MaxConcurrency = maxConcurrency,
            ReadyDeadline = readyDeadline ?? TimeSpan.FromSeconds(20),
            RequestTimeout = TimeSpan.FromSeconds(30),
        },
    };

    public static async Task<(WarmupReport Report, OrchestrationMetadata Metadata)> RunAsync(DurableTaskTestHost host, WarmupRequest request)
    {
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(
            TaskNames.WarmupOrchestration, request, new StartOrchestrationOptions(TaskNames.InstanceIdFor(request.Target) + "-" + Guid.NewGuid().ToString("N")[..8]));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var metadata = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        return (metadata.ReadOutputAs<WarmupReport>()!, metadata);
    }
}
