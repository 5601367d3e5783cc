using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Warmup.Core.Telemetry;

/// <summary>One-line registration of everything Warmup emits, for both hosts.</summary>
public static class WarmupInstrumentation
{
    /// <summary>Durable Task's own orchestration/activity spans; they sit between the trigger and the step spans.</summary>
    public const string DurableTaskSourceName = "Microsoft.DurableTask";

    /// <summary>Subscribes to Warmup's and Durable Task's spans and marks Warmup's as synthetic traffic.</summary>
    public static TracerProviderBuilder AddWarmupInstrumentation(this TracerProviderBuilder builder) =>
        builder
            .AddSource(WarmupTelemetry.SourceName, DurableTaskSourceName)
            .AddProcessor(new SyntheticSourceProcessor());

    public static MeterProviderBuilder AddWarmupInstrumentation(this MeterProviderBuilder builder) =>
        builder.AddMeter(WarmupTelemetry.MeterName);
}
