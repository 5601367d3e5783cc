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
    /// A gap is long when it is this many times its stream's typical gap (a capture or compile adds at least a decode
    /// step's worth; the steps of one stream change slowly as its batch shrinks one request at a time).
    /// </summary>
    public const double StallFactor = 2;

    /// <summary>And at least this much longer than the typical gap, so that fast steps' jitter is not a stall.</summary>
    public const double MinStallMs = 5;

    /// <summary>
    /// Share of the streams spanning a stall that must show it as a long gap: a server stall holds every request it is
    /// decoding, while a client that read some streams late (hundreds of them on a few cores) delays only those.
    /// </summary>
    public const double MinCoverage = 0.9;

    /// <summary>Streams with fewer gaps than this are judged against the burst's typical gap instead of their own.</summary>
    private const int OwnReferenceGaps = 4;

    /// <summary>The batch sizes whose decode step stalled, ascending; empty when no step did or the streams cannot tell.</summary>
    public static IReadOnlyList<int> BatchSizes(IReadOnlyList<ProbeResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var streams = results.Where(r => r.IsSuccess && r.FirstTokenTimestamp is not null).Select(Stream.Of).ToList();
        var all = streams.SelectMany(s => s.Gaps).Select(g => g.End - g.Start).ToList();
        if (all.Count == 0)
        {
            return [];
        }

        var burstTypical = Median(all);
        var stalls = streams
            .SelectMany((stream, index) =>
            {
                var typical = stream.Gaps.Count >= OwnReferenceGaps ? Median(stream.Gaps.Select(g => g.End - g.Start)) : burstTypical;
                return stream.Gaps.Where(g => IsLong(g.End - g.Start, typical)).Select(g => g with { Stream = index });
            })
            .OrderBy(g => g.Start)
            .ToList();

        // One stall shows as overlapping long gaps in the streams decoding at the time: group them, then count the
        // streams that span the group's common interval.
        var sizes = new SortedSet<int>();
        var group = new List<Gap>();
        var groupEnd = double.MaxValue;
        foreach (var gap in stalls.Append(new Gap(double.MaxValue, double.MaxValue, -1)))
        {
            if (group.Count > 0 && gap.Start >= groupEnd)
            {
                if (Size(streams, group, groupEnd) is { } size)
                {
                    sizes.Add(size);
                }

                group.Clear();
                groupEnd = double.MaxValue;
            }

            group.Add(gap);
            groupEnd = Math.Min(groupEnd, gap.End);
        }

        return [.. sizes];
    }

    private static bool IsLong(double gap, double typical) => gap > typical * StallFactor && gap - typical > MinStallMs;

    /// <summary>The batch size of a stall: the streams spanning it, when nearly all of them show it.</summary>
    private static int? Size(List<Stream> streams, List<Gap> stall, double end)
    {
        // Sorted by start: the last gap's start is the latest.
        var start = stall[^1].Start;
        var spanning = streams.Count(s => s.First <= start && s.Last >= end);
        var showing = stall.Select(g => g.Stream).Distinct().Count();
        return spanning > 0 && showing >= MinCoverage * spanning ? spanning : null;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private readonly record struct Gap(double Start, double End, int Stream = -1);

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
