using System.Diagnostics;
using Warmup.Core.Probing;

namespace Warmup.Core.Tests.Probing;

public sealed class ClientStallMeterTests
{
    private static long Ms(double ms) => (long)(ms * Stopwatch.Frequency / 1000);

    [Fact]
    public void Only_the_stall_still_going_on_at_the_stamp_counts_followed_back_through_the_stalls_it_touches()
    {
        var meter = new ClientStallMeter();
        var t0 = Stopwatch.GetTimestamp();
        meter.Record(t0 + Ms(10), t0 + Ms(30)); // a late wake-up
        meter.Record(t0 + Ms(20), t0 + Ms(40)); // a late sentinel over the same pause
        meter.Record(t0 + Ms(90), t0 + Ms(120));

        // Stamped at 100 ms, inside the last stall: the token may have waited since 90 ms.
        Assert.Equal(10, meter.StalledAtMs(t0, t0 + Ms(100)), precision: 3);
        // Stamped at 40.5 ms: the pause that ended just before reaches back through the overlapping one to 10 ms.
        Assert.Equal(30.5, meter.StalledAtMs(t0, t0 + Ms(40.5)), precision: 3);
        // Stamped at 60 ms: those stalls ended while the probe was waiting for the server; they delayed nothing.
        Assert.Equal(0, meter.StalledAtMs(t0, t0 + Ms(60)));
        // Never before the request was sent.
        Assert.Equal(25, meter.StalledAtMs(t0 + Ms(15), t0 + Ms(40)), precision: 3);
    }

    [Fact]
    public void Over_a_whole_request_stalls_are_clipped_to_it_overlaps_counted_once_and_bounded_by_the_hand_offs()
    {
        var meter = new ClientStallMeter();
        var t0 = Stopwatch.GetTimestamp();
        meter.Record(t0 + Ms(10), t0 + Ms(30));
        meter.Record(t0 + Ms(20), t0 + Ms(40)); // the same pause seen by the other sampler: 10..40 once
        meter.Record(t0 + Ms(90), t0 + Ms(120)); // half inside
        meter.Record(t0 + Ms(200), t0 + Ms(210)); // after

        Assert.Equal(30 + 10, meter.StalledMs(t0, t0 + Ms(100)), precision: 3);
        Assert.Equal(0, meter.StalledMs(t0 + Ms(50), t0 + Ms(80)));
        // One hand-off can wait out one stall: never more than that many times the longest (here 30 ms).
        Assert.Equal(30, meter.StalledMs(t0, t0 + Ms(100), handOffs: 1), precision: 3);
    }

    [Fact]
    public void Many_short_stalls_during_a_long_server_wait_count_as_two_hand_offs_not_their_sum()
    {
        // A busy machine during a 300 ms compile: a 5 ms stall every 10 ms adds up to 150 ms, yet the server's timer
        // and the warmer's read can each have waited out one of them only.
        var meter = new ClientStallMeter();
        var t0 = Stopwatch.GetTimestamp();
        for (var at = 0; at < 300; at += 10)
        {
            meter.Record(t0 + Ms(at), t0 + Ms(at + 5));
        }

        Assert.Equal(10, meter.StalledMs(t0, t0 + Ms(300)), precision: 3);
    }

    [Fact]
    public void A_pause_of_the_whole_process_while_a_probe_waits_is_measured_as_its_stall()
    {
        // A blocking, compacting collection of a large object graph suspends every managed thread, the probes'
        // continuations included: the meter's thread wakes late by as much.
        var meter = new ClientStallMeter();
        using var lease = meter.Acquire();
        Thread.Sleep(50);
        var graph = Enumerable.Range(0, 3_000_000).Select(i => new Node(i)).ToList();
        for (var i = 1; i < graph.Count; i++)
        {
            graph[i].Next = graph[(int)((long)i * 7919 % graph.Count)];
        }

        var pausedBefore = GC.GetTotalPauseDuration();
        var collectionsBefore = GC.CollectionCount(0);
        var before = Stopwatch.GetTimestamp();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var after = Stopwatch.GetTimestamp();
        GC.KeepAlive(graph);
        // What the runtime itself says it paused the process for: not the call's wall time, which also holds the wait for
        // every thread to reach a safe point and the restart, while the meter's thread may run.
        var pausedMs = (GC.GetTotalPauseDuration() - pausedBefore).TotalMilliseconds;
        var pauses = Math.Max(1, GC.CollectionCount(0) - collectionsBefore);

        // The meter's thread records a stall when it wakes after it; on a loaded machine that can take a while.
        var waited = Stopwatch.StartNew();
        while (Covered(meter, before, after) < pausedMs - (3 * pauses) && waited.Elapsed < TimeSpan.FromSeconds(5))
        {
            Thread.Sleep(5);
        }

        var intervalMs = Stopwatch.GetElapsedTime(before, after).TotalMilliseconds;
        Assert.True(pausedMs > 10, $"the collection paused the process only {pausedMs:F1} ms");
        // Every pause is seen, each within a wake-up (about 1 ms) and the 1 ms threshold; never more than the interval.
        Assert.InRange(Covered(meter, before, after), pausedMs - (3 * pauses), intervalMs + 0.01);
    }

    /// <summary>All stalled time recorded in the interval, each pause counted (as many hand-offs as there were pauses).</summary>
    private static double Covered(ClientStallMeter meter, long from, long to) => meter.StalledMs(from, to, handOffs: 1000);

    [Fact]
    public void The_meter_starts_with_its_first_lease_and_lingers_after_the_last()
    {
        var meter = new ClientStallMeter();
        Assert.False(meter.IsRunning);
        var lease = meter.Acquire();
        Assert.True(meter.IsRunning);
        lease.Dispose();
        lease.Dispose();
        Assert.True(meter.IsRunning);
    }

    private sealed class Node(int value)
    {
        public int Value { get; } = value;

        public Node? Next { get; set; }
    }
}
