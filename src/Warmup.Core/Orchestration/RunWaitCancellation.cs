using System.Collections.Concurrent;

namespace Warmup.Core.Orchestration;

/// <summary>
/// Cuts a run's readiness wait short inside one process. A run races its cancel event (<see cref="RunCancellation"/>),
/// but the in-process engine the CLI uses hands an orchestration its new events only once the activity it is waiting
/// on has ended, and readiness may wait minutes. So an embedded host cancels the run here as well, and
/// <see cref="WaitUntilReadyActivity"/> stops waiting at once. In the Functions app nothing cancels here: its
/// backend delivers the event while the activity runs. Keyed by run id (the activity's instance id).
/// </summary>
public sealed class RunWaitCancellation
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _runs = new(StringComparer.Ordinal);

    public CancellationToken TokenFor(string runId) => Source(runId).Token;

    public void Cancel(string runId) => Source(runId).Cancel();

    private CancellationTokenSource Source(string runId) => _runs.GetOrAdd(runId, static _ => new CancellationTokenSource());
}
