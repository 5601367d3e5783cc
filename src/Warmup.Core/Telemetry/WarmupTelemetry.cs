using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Warmup.Core.Telemetry;

/// <summary>
/// The names every host subscribes to. Spans come from <see cref="Source"/>, metrics from <see cref="Meter"/>;
/// custom events are log records written through <c>WarmupEvents</c>.
/// </summary>
public static class WarmupTelemetry
{
    public const string SourceName = "Warmup";
    public const string MeterName = "Warmup";

    public static readonly ActivitySource Source = new(SourceName);
    public static readonly Meter Meter = new(MeterName);
}
