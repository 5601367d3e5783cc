using System.Collections.Concurrent;
using Warmup.Core.Reporting;

namespace Warmup.Cli.Hosting;

/// <summary>
/// Every report the embedded engine's Record step took in this process, by run id, so a run cancelled by a signal
/// hands back what it measured even when its orchestration does not complete (see EmbeddedWarmupEngine.RecordedReport).
/// </summary>
internal sealed class RecordedReports : IWarmupResultSink
{
    private readonly ConcurrentDictionary<string, WarmupReport> _reports = new(StringComparer.Ordinal);

    public Task RecordAsync(WarmupReport report, CancellationToken cancellationToken)
    {
        _reports[report.RunId] = report;
        return Task.CompletedTask;
    }

    public WarmupReport? For(string runId) => _reports.GetValueOrDefault(runId);
}
