using System.Diagnostics;
using Warmup.Core.Probing;

namespace Warmup.Core.Adaptive;

/// <summary>
/// Which decode batch sizes a staircase burst found cold. A server that captures (or compiles) a batch size on first use
/// stalls the whole running batch for one step: every request still decoding sees the same long gap between two of its
/// tokens, at the same moment. The batch size of that step is the number of requests whose streams span the stall
/// (first token before it, last token after it), counted from the streams themselves, so requests admitted a step late
/// or finishing in that step are counted as the server batched them. What is learned is what the server did, not what
/// any engine is assumed to capture.
/// </summary>
public static class StaircaseStalls
{
    /// <summary>
    /// A gap counts as a stall when it is this many times the burst's typical gap between tokens (a graph capture or a
    /// compile takes several decode steps; an ordinary step of a larger batch does not).
    /// </summary>
    public const double StallFactor = 3;

    /// <summary>And at least this much longer than the typical gap, so that sub-millisecond steps' jitter is not a stall.</summary>
    public const double MinStallMs = 5;

    /// <summary>The batch sizes whose decode step stalled, ascending; empty when no step did or the streams cannot tell.</summary>
    public static IReadOnlyList<int> BatchSizes(IReadOnlyList<ProbeResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var streams = results.Where(r => r.IsSuccess && r.FirstTokenTimestamp is not null).Select(Stream.Of).ToList();
        var gaps = streams.SelectMany(s => s.Gaps).ToList();
        if (gaps.Count == 0)
        {
            return [];
        }

        var typical = Median(gaps.Select(g => g.End - g.Start));
        var threshold = Math.Max(typical * StallFactor, typical + MinStallMs);
        var stalls = gaps.Where(g => g.End - g.Start > threshold).OrderBy(g => g.Start).ToList();
        var sizes = new SortedSet<int>();
        // One stall shows as overlapping long gaps in every stream decoding at the time: group them, then count the
        // streams that span the group's common interval.
        var group = new List<Gap>();
        foreach (var gap in stalls)
        {
            if (group.Count > 0 && gap.Start >= group.Min(g => g.End))
            {
                sizes.Add(Spanning(streams, group));
                group.Clear();
            }

            group.Add(gap);
        }

        if (group.Count > 0)
        {
            sizes.Add(Spanning(streams, group));
        }

        return [.. sizes];
    }

    private static int Spanning(List<Stream> streams, List<Gap> stall)
    {
        var start = stall.Max(g => g.Start);
        var end = stall.Min(g => g.End);
        return streams.Count(s => s.First <= start && s.Last >= end);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private readonly record struct Gap(double Start, double End);

    /// <summary>One request's token times, in milliseconds on the process's monotonic clock.</summary>
    private sealed record Stream(double First, double Last, IReadOnlyList<Gap> Gaps)
    {
        public static Stream Of(ProbeResult result)
        {
            var at = Stopwatch.GetElapsedTime(0, result.FirstTokenTimestamp!.Value).TotalMilliseconds;
            var first = at;
            var gaps = new List<Gap>(result.InterTokenMs.Count);
            foreach (var gap in result.InterTokenMs)
            {
                gaps.Add(new Gap(at, at + gap));
                at += gap;
            }

            return new Stream(first, at, gaps);
        }
    }
}
