using System.Diagnostics;

namespace Warmup.Simulator.Faults;

/// <summary>The wait a timed fault imposes, never shorter than the fault states.</summary>
internal static class FaultDelay
{
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// <see cref="Task.Delay(TimeSpan, CancellationToken)"/> counts on a coarse clock and can end early (one CI run saw a
    /// 300 ms wait end after 299.6 ms), so the wait goes on until the monotonic clock says the whole duration has passed:
    /// a fault must never be milder than its plan says, which the tests of the client's timeouts and stall limits rely on.
    /// </summary>
    public static async Task WaitAsync(TimeSpan duration, CancellationToken ct)
    {
        if (duration == Timeout.InfiniteTimeSpan)
        {
            await Task.Delay(duration, ct);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        for (var left = duration; left > TimeSpan.Zero; left = duration - Stopwatch.GetElapsedTime(started))
        {
            await Task.Delay(left + Margin, ct);
        }
    }
}
