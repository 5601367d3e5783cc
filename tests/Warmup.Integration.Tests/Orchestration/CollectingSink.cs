using System.Collections.Concurrent;
using Warmup.Core.Reporting;

namespace Warmup.Integration.Tests.Orchestration;

internal sealed class CollectingSink : IWarmupResultSink
{
    public ConcurrentQueue<WarmupReport> Reports { get; } = new();

    public Task RecordAsync(WarmupReport report, CancellationToken cancellationToken)
    {
        Reports.Enqueue(report);
        return Task.CompletedTask;
    }
}

internal sealed class ThrowingSink : IWarmupResultSink
{
    public Task RecordAsync(WarmupReport report, CancellationToken cancellationToken)
        => throw new IOException("disk full");
}
