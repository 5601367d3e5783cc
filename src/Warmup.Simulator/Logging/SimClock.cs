using System.Diagnostics;

namespace Warmup.Simulator;

/// <summary>
/// Wall-clock Unix time in nanoseconds with Stopwatch resolution: one DateTime.UtcNow reading at
/// start plus the monotonic Stopwatch offset, so successive readings never go backwards.
/// </summary>
public sealed class SimClock
{
    private readonly long _baseUnixNs;
    private readonly long _baseTimestamp;

    public SimClock()
    {
        _baseTimestamp = Stopwatch.GetTimestamp();
        _baseUnixNs = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
    }

    public long NowUnixNs => _baseUnixNs + ToNs(Stopwatch.GetTimestamp() - _baseTimestamp);

    public static long ToNs(long stopwatchTicks) => (long)(stopwatchTicks * (1_000_000_000.0 / Stopwatch.Frequency));

    public static long MsToNs(double ms) => (long)(ms * 1_000_000.0);
}
