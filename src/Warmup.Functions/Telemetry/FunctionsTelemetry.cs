using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Warmup.Core.Telemetry;
using Warmup.Functions.Configuration;

namespace Warmup.Functions.Telemetry;

/// <summary>
/// OpenTelemetry wiring of the worker, kept in one place so the telemetry owner can refine it.
/// <c>UseFunctionsWorkerDefaults()</c> sets the worker capability "WorkerOpenTelemetryEnabled", which tells the host
/// that the worker exports its own logs, so the host stops writing the worker's ILogger lines to its log. That is only
/// true with an exporter; without Application Insights it is left out, and the worker's logs reach the host's log
/// (console, log stream) the usual way.
/// </summary>
public static class FunctionsTelemetry
{
    public static IServiceCollection AddWarmupTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var otel = services.AddOpenTelemetry()
            .WithTracing(t => t.AddWarmupInstrumentation())
            .WithMetrics(m => m.AddWarmupInstrumentation());

        if (!string.IsNullOrWhiteSpace(configuration[AppSettingNames.AppInsightsConnectionString]))
        {
            otel.UseFunctionsWorkerDefaults();
            var entraAuth = (configuration[AppSettingNames.AppInsightsAuthenticationString] ?? "")
                .Contains("Authorization=AAD", StringComparison.OrdinalIgnoreCase);
            var clientId = configuration[AppSettingNames.ManagedIdentityClientId];
            otel.UseAzureMonitorExporter(o =>
            {
                o.ConnectionString = configuration[AppSettingNames.AppInsightsConnectionString];
                // The default sampler keeps 5 traces/s; warm-up runs are rare and each one matters.
                o.TracesPerSecond = null;
                o.SamplingRatio = 1.0F;
                // With local auth disabled on App Insights the worker must authenticate itself, like the host does.
                if (entraAuth)
                {
                    o.Credential = string.IsNullOrWhiteSpace(clientId)
                        ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                        : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
                }
            });
        }
        return services;
    }
}
