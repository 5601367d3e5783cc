using DurableTask.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Warmup.Cli.Hosting;

/// <summary>
/// The CLI's in-process Durable engine, put together from Microsoft.DurableTask.InProcessTestHost's own parts: its
/// in-memory backend (<see cref="InMemoryOrchestrationService"/>) behind its gRPC sidecar (<see cref="TaskHubGrpcServer"/>),
/// and a worker and client connected to it over loopback gRPC.
/// </summary>
/// <remarks>
/// Why not <c>DurableTaskTestHost</c> itself: it builds the sidecar's host with the default console lifetime, and its
/// options reach only the worker's host. That lifetime hears Ctrl-C and SIGTERM too and stops the sidecar's dispatchers
/// at once, so a run cancelled by a real signal could no longer record the steps it had measured. Here both hosts use
/// <see cref="SignalIgnoringLifetime"/>: the CLI's <see cref="StopSignal"/> alone decides, and the engine stops when it
/// is disposed, after the run has recorded its partial report.
/// </remarks>
internal sealed class InMemoryDurableEngine : IAsyncDisposable
{
    private readonly IHost _sidecar;
    private readonly GrpcChannel _channel;
    private readonly IHost _worker;

    private InMemoryDurableEngine(IHost sidecar, GrpcChannel channel, IHost worker)
    {
        _sidecar = sidecar;
        _channel = channel;
        _worker = worker;
        Client = worker.Services.GetRequiredService<DurableTaskClient>();
    }

    public DurableTaskClient Client { get; }

    /// <summary>The worker's services, as its activities resolve them.</summary>
    internal IServiceProvider Services => _worker.Services;

    /// <param name="registry">Orchestrators and activities.</param>
    /// <param name="port">Loopback port for the sidecar (see <see cref="FreePortTestHost"/>).</param>
    /// <param name="configureServices">The worker's services, as the orchestrators and activities resolve them.</param>
    public static async Task<InMemoryDurableEngine> StartAsync(
        Action<DurableTaskRegistry> registry, int port, Action<IServiceCollection> configureServices, CancellationToken cancellationToken)
    {
        var address = $"http://127.0.0.1:{port}";
        var sidecar = BuildSidecar(address);
        try
        {
            await sidecar.StartAsync(cancellationToken);
        }
        catch
        {
            sidecar.Dispose();
            throw;
        }

        var channel = GrpcChannel.ForAddress(address);
        var worker = new HostBuilder()
            .ConfigureServices(services =>
            {
                services.AddSingleton<IHostLifetime, SignalIgnoringLifetime>();
                configureServices(services);
                services.AddDurableTaskWorker(builder =>
                {
                    builder.UseGrpc(channel);
                    builder.AddTasks(registry);
                });
                services.AddDurableTaskClient(builder =>
                {
                    builder.UseGrpc(channel);
                    builder.RegisterDirectly();
                });
            })
            .Build();
        var engine = new InMemoryDurableEngine(sidecar, channel, worker);
        try
        {
            await worker.StartAsync(cancellationToken);
        }
        catch
        {
            await engine.DisposeAsync();
            throw;
        }

        return engine;
    }

    /// <summary>
    /// A plain host (no appsettings.json or environment from the user's folder reach it) whose only log is errors, on
    /// stderr: stdout may carry the JSON or markdown report.
    /// </summary>
    private static IHost BuildSidecar(string address)
    {
        var backend = new InMemoryOrchestrationService(null);
        return new HostBuilder()
            .ConfigureLogging(logging => logging
                .SetMinimumLevel(LogLevel.Error)
                .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace))
            .ConfigureServices(services => services.AddSingleton<IHostLifetime, SignalIgnoringLifetime>())
            .ConfigureWebHost(web => web
                .UseKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http2))
                .UseUrls(address)
                .ConfigureServices(services =>
                {
                    services.AddGrpc();
                    services.AddSingleton<IOrchestrationService>(backend);
                    services.AddSingleton<IOrchestrationServiceClient>(backend);
                    services.AddSingleton<TaskHubGrpcServer>();
                })
                .Configure(app => app.UseRouting().UseEndpoints(endpoints => endpoints.MapGrpcService<TaskHubGrpcServer>())))
            .Build();
    }

    public async ValueTask DisposeAsync()
    {
        await _worker.StopAsync();
        _worker.Dispose();
        await _channel.ShutdownAsync();
        _channel.Dispose();
        await _sidecar.StopAsync();
        _sidecar.Dispose();
    }
}
