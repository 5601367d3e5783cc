using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Warmup.Core.Telemetry;

namespace Warmup.Cli.Telemetry;

/// <summary>
/// The CLI's export pipeline: Application Insights when APPLICATIONINSIGHTS_CONNECTION_STRING is set, OTLP when
/// OTEL_EXPORTER_OTLP_ENDPOINT is set (both when both are), nothing otherwise (the local report still gets written).
/// Dispose flushes all three signals; do it before the process exits.
/// </summary>
public sealed class CliTelemetry : IDisposable
{
    public const string ConnectionStringVariable = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AuthenticationStringVariable = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string OtlpProtocolVariable = "OTEL_EXPORTER_OTLP_PROTOCOL";
    public const string OtlpHeadersVariable = "OTEL_EXPORTER_OTLP_HEADERS";
    public const string ServiceNameVariable = "OTEL_SERVICE_NAME";
    public const string DefaultServiceName = "warmup-cli";

    private const int FlushTimeoutMs = 10_000;

    private static readonly string[] OtelVariables =
    [
        OtlpEndpointVariable, OtlpProtocolVariable, OtlpHeadersVariable, ServiceNameVariable,
        "OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_RESOURCE_ATTRIBUTES",
    ];

    private readonly IHost _host;
    private readonly TracerProvider _tracerProvider;
    private readonly MeterProvider _meterProvider;
    private readonly LoggerProvider _loggerProvider;

    private CliTelemetry(IHost host, IReadOnlyList<string> destinations)
    {
        _host = host;
        var services = host.Services;
        Destinations = destinations;
        _tracerProvider = services.GetRequiredService<TracerProvider>();
        _meterProvider = services.GetRequiredService<MeterProvider>();
        _loggerProvider = services.GetRequiredService<LoggerProvider>();
        LoggerFactory = services.GetRequiredService<ILoggerFactory>();
    }

    /// <summary>Logger factory whose "Warmup" category reaches the exporters; give it to <see cref="WarmupEvents"/>.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>Where telemetry goes, for the CLI to print ("Application Insights", "OTLP http://...").</summary>
    public IReadOnlyList<string> Destinations { get; }

    public static CliTelemetry? Start(IReadOnlyDictionary<string, string?> environment) =>
        Start(name => environment.TryGetValue(name, out var value) ? value : null);

    /// <summary>Builds the pipeline from the environment, or returns null when no exporter is configured.</summary>
    /// <exception cref="CliTelemetryConfigurationException">A variable is set but unusable; the message says which and why.</exception>
    public static CliTelemetry? Start(Func<string, string?> getEnvironmentVariable)
    {
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        var connectionString = NonEmpty(getEnvironmentVariable(ConnectionStringVariable));
        var otlpEndpoint = NonEmpty(getEnvironmentVariable(OtlpEndpointVariable));
        if (connectionString is null && otlpEndpoint is null)
        {
            return null;
        }

        // A minimal host, not a bare ServiceCollection: UseAzureMonitorExporter attaches its trace and log exporters
        // from a hosted service, so without a started host only metrics would be exported.
        var host = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });

        // The SDK and the OTLP exporter read the standard OTEL_* keys from IConfiguration; feeding them the injected
        // environment (not the process's) keeps the choice explicit and testable.
        host.Configuration.AddInMemoryCollection(
            OtelVariables.Select(name => KeyValuePair.Create(name, NonEmpty(getEnvironmentVariable(name)))));
        host.Logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter(WarmupEvents.CategoryName, LogLevel.Information);

        var serviceName = NonEmpty(getEnvironmentVariable(ServiceNameVariable)) ?? DefaultServiceName;
        var builder = host.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceVersion: typeof(CliTelemetry).Assembly.GetName().Version?.ToString()))
            .WithTracing(tracing => tracing.AddWarmupInstrumentation())
            .WithMetrics(metrics => metrics.AddWarmupInstrumentation())
            .WithLogging();

        var destinations = new List<string>();
        if (connectionString is not null)
        {
            var credential = CredentialFor(getEnvironmentVariable(AuthenticationStringVariable));
            builder.UseAzureMonitorExporter(options => ConfigureAzureMonitor(options, connectionString, credential));
            destinations.Add("Application Insights");
        }

        if (otlpEndpoint is not null)
        {
            var endpoint = ParseEndpoint(otlpEndpoint);
            ParseProtocol(getEnvironmentVariable(OtlpProtocolVariable));
            builder.UseOtlpExporter();
            destinations.Add($"OTLP {endpoint}");
        }

        IHost? started = null;
        try
        {
            started = host.Build();
            started.Start();
            return new CliTelemetry(started, destinations);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            started?.Dispose();
            throw new CliTelemetryConfigurationException(
                $"Telemetry could not start: {ex.Message} Check {ConnectionStringVariable} and {OtlpEndpointVariable}.", ex);
        }
    }

    /// <summary>
    /// The exporter settings a short-lived CLI needs: every trace kept (the exporter's default samples to 5 traces/s
    /// and would drop run events with them), no live metrics, no performance counters, and no offline storage
    /// (a CLI would not be around to replay it).
    /// </summary>
    internal static void ConfigureAzureMonitor(AzureMonitorExporterOptions options, string connectionString, TokenCredential? credential)
    {
        options.ConnectionString = connectionString;
        options.Credential = credential;
        options.SamplingRatio = 1.0F;
        options.TracesPerSecond = null;
        options.EnableLiveMetrics = false;
        options.EnablePerformanceCounters = false;
        options.EnableStandardMetrics = false;
        options.DisableOfflineStorage = true;
    }

    public void Dispose()
    {
        _tracerProvider.ForceFlush(FlushTimeoutMs);
        _loggerProvider.ForceFlush(FlushTimeoutMs);
        _meterProvider.ForceFlush(FlushTimeoutMs);
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
    }

    // Same convention as the Functions host: "Authorization=AAD[;ClientId=...]" means Entra ID instead of the key.
    private static DefaultAzureCredential? CredentialFor(string? authenticationString)
    {
        if (NonEmpty(authenticationString) is not { } text || !text.Contains("Authorization=AAD", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var clientId = text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .FirstOrDefault(pair => pair.Length == 2 && pair[0].Equals("ClientId", StringComparison.OrdinalIgnoreCase))?[1];
        return new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });
    }

    private static Uri ParseEndpoint(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new CliTelemetryConfigurationException($"{OtlpEndpointVariable} must be an absolute http(s) URL, got '{value}'.");

    private static OtlpExportProtocol ParseProtocol(string? value) => NonEmpty(value)?.ToLowerInvariant() switch
    {
        null or "grpc" => OtlpExportProtocol.Grpc,
        "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
        var other => throw new CliTelemetryConfigurationException(
            $"{OtlpProtocolVariable} must be 'grpc' or 'http/protobuf', got '{other}'."),
    };

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>A telemetry environment variable is set but unusable.</summary>
public sealed class CliTelemetryConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
