using Microsoft.Extensions.DependencyInjection;
using Warmup.Cli.Telemetry;
using Warmup.Core.Orchestration;
using Warmup.Core.Probing;
using Warmup.Core.Readiness;
using Warmup.Core.Reporting;
using Warmup.Core.ShapeMaps;
using Warmup.Core.Targets;
using Warmup.Core.Telemetry;

namespace Warmup.Cli.Hosting;

/// <summary>
/// The CLI's Durable engine: <see cref="InMemoryDurableEngine"/> (Microsoft.DurableTask.InProcessTestHost's in-memory
/// backend behind a loopback gRPC sidecar on a free port, see <see cref="FreePortTestHost"/>) running the same entry
/// point, orchestrators and activities the Functions app registers.
/// </summary>
internal sealed class EmbeddedDurableHost : IAsyncDisposable
{
    private readonly InMemoryDurableEngine _host;

    private EmbeddedDurableHost(
        InMemoryDurableEngine host, JsonFileResultSink? jsonReport, ReadinessWatch readiness, RunWaitCancellation waits, RecordedReports recorded)
    {
        _host = host;
        JsonReport = jsonReport;
        Readiness = readiness;
        // A cancelled run records its report within a second or two; longer means the engine is stuck.
        Engine = new EmbeddedWarmupEngine(host.Client, waits: waits) { CancelGrace = TimeSpan.FromSeconds(10), RecordedReport = recorded.For };
    }

    public EmbeddedWarmupEngine Engine { get; }

    /// <summary>The engine's Durable client (over the sidecar).</summary>
    public Microsoft.DurableTask.Client.DurableTaskClient Client => _host.Client;

    /// <summary>The result sinks, in the order the Record step runs them.</summary>
    internal IEnumerable<IWarmupResultSink> Sinks => _host.Services.GetServices<IWarmupResultSink>();

    /// <summary>The local JSON report's sink, to tell where the report went; null without --json.</summary>
    public JsonFileResultSink? JsonReport { get; }

    /// <summary>The readiness polls' last answers, for the live display while a run waits.</summary>
    public ReadinessWatch Readiness { get; }

    /// <param name="jsonReport">File or folder for the JSON report, or null.</param>
    /// <param name="telemetry">Exporters configured from the environment, or null for the local report only.</param>
    /// <param name="shapeMaps">Where the adaptive preset keeps what it learns per target; null keeps it in memory (this run only).</param>
    /// <param name="traffic">What users sent the target (checked at the run's start), for the adaptive plan; null: nothing observed.</param>
    public static async Task<EmbeddedDurableHost> StartAsync(
        ITargetCatalog catalog, string? jsonReport, CliTelemetry? telemetry, CancellationToken cancellationToken, IShapeMapStore? shapeMaps = null,
        Core.Traffic.IObservedTrafficStore? traffic = null)
    {
        var jsonSink = jsonReport is null ? null : new JsonFileResultSink(jsonReport);
        var readiness = new ReadinessWatch();
        var waits = new RunWaitCancellation();
        var recorded = new RecordedReports();
        var host = await FreePortTestHost.StartOnFreePortAsync(port => InMemoryDurableEngine.StartAsync(
            registry => registry.AddWarmupTasks(),
            port,
            services =>
            {
                services.AddSingleton(readiness);
                services.AddSingleton(waits);
                services.AddWarmupEngine();
                services.AddSingleton(catalog);
                if (shapeMaps is not null)
                {
                    services.AddSingleton(shapeMaps);
                }

                if (traffic is not null)
                {
                    services.AddSingleton(traffic);
                }

                services.AddSingleton<IRequestAuthenticator>(new EnvironmentApiKeyAuthenticator());
                if (jsonSink is not null)
                {
                    services.AddSingleton<IWarmupResultSink>(jsonSink);
                }

                if (telemetry is not null)
                {
                    services.AddSingleton<IWarmupResultSink>(new TelemetryResultSink(new WarmupEvents(telemetry.LoggerFactory)));
                }

                // Last: the Record step runs sinks in order, and a cancelled run is handed back as soon as this one has
                // its report, so every other sink (the JSON file above all) must have written it by then.
                services.AddSingleton<IWarmupResultSink>(recorded);
            },
            cancellationToken));
        return new EmbeddedDurableHost(host, jsonSink, readiness, waits, recorded);
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();
}
