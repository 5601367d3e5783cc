using Microsoft.DurableTask;

namespace Warmup.Core.Orchestration;

/// <summary>
/// The cancel path of a run. A Durable terminate runs no orchestrator code, so a terminated run would leave no report;
/// instead a caller raises the external event <see cref="EventName"/> (payload: why) on the target's orchestration
/// (<c>warmup-{target}</c>), which forwards it to its current run, and the run races its pending work against it:
/// whichever finishes first wins, and a cancelled run still records its partial report with the outcome
/// <c>cancelled</c>. Work already in flight (a step's requests) runs to its end, but its result is no longer awaited.
/// Create one per orchestration execution, before the first await, and reuse it: every
/// <c>WaitForExternalEvent</c> call consumes its own event.
/// </summary>
public sealed class RunCancellation
{
    public const string EventName = "cancel";

    private RunCancellation(Task<string> requested) => Requested = requested;

    /// <summary>Completes with the reason once a cancel event has arrived (events that came earlier are buffered).</summary>
    public Task<string> Requested { get; }

    public bool IsRequested => Requested.IsCompleted;

    public static RunCancellation Listen(TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new RunCancellation(context.WaitForExternalEvent<string>(EventName));
    }

    /// <summary>The result of <paramref name="work"/>, unless a cancel event comes first.</summary>
    /// <exception cref="RunCancelledException">The run was cancelled before <paramref name="work"/> ended.</exception>
    public async Task<T> RaceAsync<T>(Task<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (await Task.WhenAny(work, Requested) == work)
        {
            return await work;
        }

        throw new RunCancelledException(await Requested);
    }
}

/// <summary>A run was cancelled (DELETE, a restart for a new deployment, Ctrl-C in the CLI); <see cref="Reason"/> says by whom.</summary>
public sealed class RunCancelledException(string reason) : Exception($"cancelled: {reason}")
{
    public string Reason { get; } = reason;
}
