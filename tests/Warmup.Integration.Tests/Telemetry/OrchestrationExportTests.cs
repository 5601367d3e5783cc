using System.Diagnostics;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Warmup.Cli.Hosting;
using Warmup.Cli.Telemetry;
using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Probing;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;
using Warmup.Core.Telemetry;
using Warmup.Integration.Tests.Orchestration;
using Warmup.Simulator;

namespace Warmup.Integration.Tests.Telemetry;

/// <summary>
/// Everything real at once: the orchestrator on the in-process Durable engine, the streaming probe against the
/// simulator with an API key, and the Azure Monitor exporter posting to a loopback ingestion endpoint.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class OrchestrationExportTests
{
    private const string ApiKey = "sk-e2e-SECRET-91c4d7";

    [Fact]
    public async Task Finished_and_never_ready_runs_both_reach_application_insights_without_secrets_or_prompts()
    {
        await using var ingestion = await IngestionListener.StartAsync();
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            // A compile far slower than any steady request, so a light plan (one 64-token request) leaves the verified
            // lengths cold beyond doubt: the one right verdict is not-warm, whatever the machine's timing noise.
            Profile = SimulatorProfile.Default with { TimeScale = 0.02, JitCompileBaseMs = 20_000 },
            ApiKey = ApiKey,
        });
        var live = "e2e-" + Guid.NewGuid().ToString("N")[..8];
        var dead = "e2e-dead-" + Guid.NewGuid().ToString("N")[..8];
        var catalog = new InMemoryTargetCatalog(
            WarmupHost.Target(live, simulator.BaseUrl) with { Model = simulator.Profile.Model, Auth = new TargetAuth { ApiKeySetting = "E2E_KEY" } },
            WarmupHost.Target(dead, new Uri("http://127.0.0.1:9/"), readyDeadline: TimeSpan.FromSeconds(1)));

        string traceId;
        WarmupReport light, neverReady;
        var telemetry = CliTelemetry.Start(new Dictionary<string, string?> { [CliTelemetry.ConnectionStringVariable] = ingestion.ConnectionString })!;
        try
        {
            await using var host = await FreePortTestHost.StartAsync(
                registry => registry.AddWarmupTasks(),
                port => new DurableTaskTestHostOptions
                {
                    Port = port,
                    ConfigureServices = services =>
                    {
                        services.AddWarmupEngine();
                        services.AddSingleton<ITargetCatalog>(catalog);
                        services.AddSingleton<IRequestAuthenticator>(new EnvironmentApiKeyAuthenticator(name => name == "E2E_KEY" ? ApiKey : null));
                        services.AddSingleton<IWarmupResultSink>(new TelemetryResultSink(new WarmupEvents(telemetry.LoggerFactory)));
                    },
                });

            using (var trigger = WarmupSpans.StartTrigger(WarmupReasons.Manual, live))
            {
                traceId = trigger!.TraceId.ToHexString();
                var traceParent = WarmupSpans.CurrentTraceParent();
                (light, _) = await WarmupHost.RunAsync(host, new WarmupRequest(live, WarmupReasons.Manual, PlanSpec.FromPreset(PlanPresets.Light), "corr-live", 3.0, traceParent));
                (neverReady, _) = await WarmupHost.RunAsync(host, new WarmupRequest(dead, WarmupReasons.Idle, PlanSpec.FromPreset(PlanPresets.Light), "corr-dead", 3.0, traceParent));
            }
        }
        finally
        {
            telemetry.Dispose();
        }

        Assert.Equal(RunOutcomes.NotWarm, light.Outcome);
        Assert.True(light.Verdict!.WorstPromptTokens > 128, $"worst length {light.Verdict.WorstPromptTokens}: the light plan compiled the 128-token bucket");
        Assert.True(light.Totals.Requests > 1);
        Assert.Equal(RunOutcomes.NeverReady, neverReady.Outcome);
        var envelopes = ingestion.Envelopes;

        var lightRun = Assert.Single(envelopes.Events(WarmupEvents.RunCompletedName).ForTarget(live));
        Assert.Equal(RunOutcomes.NotWarm, lightRun.Property("verdict"));
        Assert.Equal(traceId, lightRun.OperationId);
        var deadRun = Assert.Single(envelopes.Events(WarmupEvents.RunCompletedName).ForTarget(dead));
        Assert.Equal(RunOutcomes.NeverReady, deadRun.Property("verdict"));

        // Request spans from the real probe: HTTP dependencies in the trigger's trace, one per request sent.
        var requestSpans = envelopes.Where(e => e.Name == "RemoteDependency" && (string?)e.BaseData["type"] == "Http"
                                                && e.OperationId == traceId && ((string?)e.BaseData["target"])?.Contains(simulator.BaseUrl.Authority, StringComparison.Ordinal) == true)
            .ToList();
        Assert.True(requestSpans.Count >= light.Totals.Requests, $"{requestSpans.Count} request spans for {light.Totals.Requests} requests");

        // Metrics count what the report counts.
        var requests = envelopes.Metrics(WarmupMetrics.RequestsName).Where(m => m.Envelope.Property("target") == live).Sum(m => (double)m.Metric["value"]!);
        Assert.Equal(light.Totals.Requests, requests);

        // The key and the prompts went to the server, and appear nowhere in telemetry.
        Assert.NotEmpty(ingestion.RawLines);
        Assert.DoesNotContain(ingestion.RawLines, line => line.Contains(ApiKey, StringComparison.Ordinal));
        Assert.DoesNotContain(ingestion.RawLines, line => line.Contains("Continue the story", StringComparison.Ordinal));
        Assert.Null(Activity.Current);
    }
}
