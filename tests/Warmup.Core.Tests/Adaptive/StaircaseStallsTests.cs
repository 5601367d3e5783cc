using System.Diagnostics;
using Warmup.Core.Adaptive;
using Warmup.Core.Planning;
using Warmup.Core.Probing;

namespace Warmup.Core.Tests.Adaptive;

/// <summary>
/// A staircase's streams, as a server that captures some batch sizes on first use would produce them: every request
/// decoding at a step that captured a size sees the same long gap. The stall detector must name exactly those sizes.
/// </summary>
public sealed class StaircaseStallsTests
{
    private const double StepMs = 1;
    private const double CaptureMs = 12.5;

    [Fact]
    public void The_batch_sizes_a_full_staircase_stalled_on_are_the_ones_the_server_captured()
    {
        var captured = new[] { 1, 2, 4, 8, 12, 16 };

        var stalled = StaircaseStalls.BatchSizes(Simulate(StaircaseBurst.Steps(1, 16, true, []).Single(), captured));

        Assert.Equal(captured, stalled);
    }

    [Fact]
    public void A_staircase_on_a_server_that_captured_everything_at_start_stalls_on_nothing()
    {
        Assert.Empty(StaircaseStalls.BatchSizes(Simulate(StaircaseBurst.Steps(1, 16, true, []).Single(), [])));
    }

    [Fact]
    public void Requests_admitted_a_step_late_are_still_counted_in_the_batch_they_decoded_in()
    {
        // Two of the twelve requests get their first token one step after the others (chunked prefill), so the first
        // decode step, which captures size 10, runs ten: the two late ones were still in prefill. The detector counts
        // what the server batched, not what was in flight.
        var step = StaircaseBurst.Steps(1, 12, true, []).Single();

        var stalled = StaircaseStalls.BatchSizes(Simulate(step, [10], lateRequests: 2));

        Assert.Equal([10], stalled);
    }

    [Fact]
    public void Steps_that_slow_as_the_batch_grows_are_not_stalls_and_a_capture_at_the_largest_batch_still_is()
    {
        // The large-batch profile at the benchmark's time scale: a step takes 1 ms plus 1 % per sequence (3.6 ms at 256),
        // a capture 7.5 ms on top.
        var step = StaircaseBurst.Steps(1, 256, true, []).Single();
        int[] captured = [.. Enumerable.Range(1, 32).Select(i => i * 8), 1, 2, 4];

        var stalled = StaircaseStalls.BatchSizes(Simulate(step, captured, stepMs: batch => 1 + (0.01 * batch), captureMs: 7.5));

        Assert.Equal(captured.Order(), stalled);
    }

    [Fact]
    public void A_client_that_read_some_streams_late_is_not_a_stall()
    {
        // Every 40th step, a fifth of the streams are read 20 ms late (the client busy elsewhere): those streams show a long
        // gap, the others do not, so it is not the server's.
        var step = StaircaseBurst.Steps(1, 64, true, []).Single();

        var stalled = StaircaseStalls.BatchSizes(Simulate(step, [], lateReads: (t, i) => t % 40 == 20 && i % 5 == 0 ? 20 : 0));

        Assert.Empty(stalled);
    }

    [Fact]
    public void Failed_requests_and_streams_without_tokens_say_nothing()
    {
        var failed = new ProbeResult { Outcome = ProbeOutcome.HttpError, StatusCode = 503 };
        var single = new ProbeResult { Outcome = ProbeOutcome.Ok, TtftMs = 5, FirstTokenTimestamp = Stopwatch.GetTimestamp() };

        Assert.Empty(StaircaseStalls.BatchSizes([failed, single]));
    }

    [Fact]
    public void A_learned_staircase_passes_every_size_once_and_holds_the_stalled_ones_the_size_below_each_and_the_top()
    {
        var step = StaircaseBurst.Learned([4, 12], 256);

        Assert.True(step.Staircase);
        Assert.Equal(256, step.Concurrency);
        var levels = Assert.IsAssignableFrom<IReadOnlyList<int>>(step.Levels);
        Assert.Equal(Enumerable.Range(1, 256).OrderDescending(), levels.Distinct());
        Assert.Equal([256, 12, 11, 4, 3], levels.GroupBy(size => size).Where(g => g.Count() == StaircaseBurst.TokensPerStair).Select(g => g.Key));
        // The running batch, step by step, as the server sees it: each entry one decode step.
        var lengths = Enumerable.Range(0, step.Concurrency).Select(i => StaircaseBurst.OutputTokensFor(step, i)).ToList();
        var batches = Enumerable.Range(1, lengths.Max()).Select(t => lengths.Count(l => l >= t)).ToList();
        Assert.Equal(levels, batches);
        // About N²/2 output tokens plus the held sizes, against N² for the full staircase.
        Assert.Equal(levels.Sum(), lengths.Sum());
        var full = StaircaseBurst.Steps(1, 256, true, []).Single();
        Assert.True(lengths.Sum() * 3 < Enumerable.Range(0, 256).Sum(i => StaircaseBurst.OutputTokensFor(full, i)) * 2);
    }

    [Fact]
    public void A_learned_staircase_run_through_the_server_again_finds_the_same_sizes()
    {
        var captured = new[] { 1, 2, 4, 8, 16, 24, 32, 40, 48, 56, 64 };
        var full = StaircaseStalls.BatchSizes(Simulate(StaircaseBurst.Steps(1, 64, true, []).Single(), captured));

        var again = StaircaseStalls.BatchSizes(Simulate(StaircaseBurst.Learned(full, 64), captured));

        Assert.Equal(captured, full);
        Assert.Equal(captured, again);
    }

    [Fact]
    public void Plan_steps_compare_by_their_levels_so_a_step_read_back_from_history_equals_the_one_planned()
    {
        var planned = StaircaseBurst.Learned([4, 12], 16);
        var readBack = planned with { Levels = [.. planned.Levels!] };

        Assert.Equal(planned, readBack);
        Assert.Equal(planned.GetHashCode(), readBack.GetHashCode());
        Assert.NotEqual(planned, planned with { Levels = [16, 12] });
        Assert.NotEqual(planned, planned with { Levels = null });
    }

    /// <summary>
    /// The streams of <paramref name="step"/> on a server that pads a batch to the next captured size and captures each
    /// size on its first use (a stall of <see cref="CaptureMs"/>); with none captured, every size was captured at start.
    /// </summary>
    private static List<ProbeResult> Simulate(
        PlanStep step, IReadOnlyList<int> captured, int lateRequests = 0, Func<int, double>? stepMs = null, double captureMs = CaptureMs,
        Func<int, int, double>? lateReads = null)
    {
        var lengths = Enumerable.Range(0, step.Concurrency).Select(i => StaircaseBurst.OutputTokensFor(step, i)).ToArray();
        // The late requests are the longest ones (admitted last); each joins one step later and so ends one step later.
        var joins = Enumerable.Range(0, step.Concurrency).Select(i => i >= step.Concurrency - lateRequests ? 1 : 0).ToArray();
        var tokens = Enumerable.Range(0, step.Concurrency).Select(_ => new List<double>()).ToArray();
        var warm = new HashSet<int>();
        var readFrom = new double[step.Concurrency];
        var clock = 100.0;
        for (var t = 0; tokens.Select((l, i) => l.Count < lengths[i]).Any(x => x); t++)
        {
            var running = Enumerable.Range(0, step.Concurrency).Where(i => joins[i] <= t && tokens[i].Count < lengths[i]).ToList();
            // The first step is the prefill (first tokens); a decode step runs the graph of the batch's size.
            var decoding = running.Where(i => tokens[i].Count > 0).ToList();
            var graph = captured.Where(c => c >= decoding.Count).DefaultIfEmpty(0).Min();
            clock += (stepMs?.Invoke(running.Count) ?? StepMs) + (decoding.Count > 0 && graph > 0 && warm.Add(graph) ? captureMs : 0);
            foreach (var i in running)
            {
                // A stream read late is read at once when the client comes back: every token that arrived meanwhile too.
                readFrom[i] = Math.Max(readFrom[i], clock + (lateReads?.Invoke(t, i) ?? 0));
                tokens[i].Add(Math.Max(clock, readFrom[i]));
            }
        }

        var origin = Stopwatch.GetTimestamp();
        return tokens.Select(times => new ProbeResult
        {
            Outcome = ProbeOutcome.Ok,
            TtftMs = times[0],
            FirstTokenTimestamp = origin + (long)(times[0] * Stopwatch.Frequency / 1000),
            InterTokenMs = times.Zip(times.Skip(1), (a, b) => b - a).ToList(),
        }).ToList();
    }
}
