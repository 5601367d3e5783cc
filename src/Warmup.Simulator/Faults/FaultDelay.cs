namespace Warmup.Simulator.Faults;

/// <summary>The wait a timed fault imposes, never shorter than the fault states.</summary>
internal static class FaultDelay
{
    /// <summary>
    /// <see cref="Task.Delay(TimeSpan, CancellationToken)"/> counts whole timer ticks and can end up to 1 ms early
    /// (one CI run saw a 300 ms wait end after 299.6 ms); the extra millisecond keeps a fault from ever being milder
    /// than its plan says, which the tests of the client's timeouts and stall limits rely on.
    /// </summary>
    public static Task WaitAsync(TimeSpan duration, CancellationToken ct) =>
        Task.Delay(duration == Timeout.InfiniteTimeSpan ? duration : duration + TimeSpan.FromMilliseconds(1), ct);
}
