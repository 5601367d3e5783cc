using System.Net;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Warmup.CrashHost;

/// <summary>
/// The gRPC sidecar of Microsoft.DurableTask.InProcessTestHost (its public <see cref="TaskHubGrpcServer"/>, which
/// dispatches work items for whatever <see cref="IOrchestrationService"/> it is given) over DurableTask.AzureStorage
/// instead of its in-memory service: the portable SDK's worker and client talk to it exactly as they talk to the
/// CLI's embedded engine, but the task hub's history, queues and leases live in storage and survive this process.
/// </summary>
internal sealed class AzureStorageSidecar : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AzureStorageSidecar(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<AzureStorageSidecar> StartAsync(string connectionString, string taskHub)
    {
        var logging = LoggerFactory.Create(log => log.AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(Arguments.LogLevel));
        var settings = Settings(connectionString, taskHub);
        settings.LoggerFactory = logging;
        var service = new AzureStorageOrchestrationService(settings);
        await service.CreateIfNotExistsAsync();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders().AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(Arguments.LogLevel);
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(SidecarHistoryAdapter.Wrap(service));
        builder.Services.AddSingleton<IOrchestrationServiceClient>(service);
        builder.Services.AddSingleton<TaskHubGrpcServer>();
        var app = builder.Build();
        app.MapGrpcService<TaskHubGrpcServer>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new AzureStorageSidecar(app, new Uri(address));
    }

    /// <summary>
    /// Storage timings short enough for a test, so a restarted worker takes over within seconds instead of minutes.
    /// The sidecar does not renew a work item's lock, so an activity must end within its visibility timeout; that is
    /// also how long the activity in flight when the process died stays invisible before it runs again.
    /// </summary>
    internal static AzureStorageOrchestrationServiceSettings Settings(string connectionString, string taskHub) => new()
    {
        StorageAccountClientProvider = new StorageAccountClientProvider(connectionString),
        TaskHubName = taskHub,
        PartitionCount = 1,
        UseAppLease = false,
        UseTablePartitionManagement = true,
        LeaseInterval = TimeSpan.FromSeconds(5),
        LeaseRenewInterval = TimeSpan.FromSeconds(2),
        LeaseAcquireInterval = TimeSpan.FromSeconds(1),
        WorkItemQueueVisibilityTimeout = TimeSpan.FromSeconds(15),
        ControlQueueVisibilityTimeout = TimeSpan.FromSeconds(15),
        MaxQueuePollingInterval = TimeSpan.FromMilliseconds(500),
        CustomMessageTypeBinder = new ProtobufTagsBinder(),
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
