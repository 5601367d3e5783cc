namespace Warmup.Core.Reporting;

/// <summary>Where a finished run's report goes: telemetry always, a JSON file in the CLI.</summary>
public interface IWarmupResultSink
{
    Task RecordAsync(WarmupReport report, CancellationToken cancellationToken);
}
