using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Warmup.Core.Telemetry;

/// <summary>One-line registration of everything Warmup emits, for both hosts.</summary>
public static class WarmupInstrumentation
{
    /// <summary>Durable Task's own orchestration/activity spans; they sit between the trigger and the step spans.</summary>
    public const string DurableTaskSourceName = "Microsoft.DurableTask";

    public static TracerProviderBuilder AddWarmupInstrumentation(this TracerProviderBuilder builder) =>
        builder.AddSource(WarmupTelemetry.SourceName, DurableTaskSourceName);

    public static MeterProviderBuilder AddWarmupInstrumentation(this MeterProviderBuilder builder) =>
        builder.AddMeter(WarmupTelemetry.MeterName);
}
