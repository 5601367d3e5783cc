namespace Warmup.Integration.Tests.Telemetry;

/// <summary>
/// Export tests share the process-wide "Warmup" ActivitySource and Meter, so they run one at a time; each also uses
/// its own target name and filters on it, since other tests in the assembly may emit on the same source.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry export";

    static TelemetryCollection() => ExporterEnvironment.KeepOnLoopback();
}

internal static class ExporterEnvironment
{
    /// <summary>The exporter's own usage reporting goes to a Microsoft endpoint; tests talk to loopback only.</summary>
    public static void KeepOnLoopback()
    {
        Environment.SetEnvironmentVariable("APPLICATIONINSIGHTS_STATSBEAT_DISABLED", "true");
        Environment.SetEnvironmentVariable("APPLICATIONINSIGHTS_SDKSTATS_DISABLED", "true");
    }
}
