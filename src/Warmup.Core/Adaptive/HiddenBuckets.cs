namespace Warmup.Core.Adaptive;

/// <summary>
/// Where a whole bucket may still lie unseen between two sent lengths once verification finds no cold length. Rungs a
/// spacing apart skip a bucket narrower than the spacing that falls between two of them, and verification only samples
/// lengths: on a server with 384-token buckets the loop ended warm on a 480-token spacing, and users met the bucket that
/// lay between two rungs 460 tokens apart. What was sent says where that can be, from the order lengths were sent and
/// whether each one's first request paid a cold path (<see cref="SentLength"/>):
/// <list type="bullet">
/// <item>A length that did not pay shares its bucket with one sent before it, and that is one of its nearest
/// neighbours at the time, so buckets there are at least the distance to the nearer one wide.</item>
/// <item>Which of the two it shares is not known, but the nearer is the likelier, so the gap to the nearer is taken to
/// hold no bucket, and the gap on its other side may (the run that met a cold bucket between 4,920 and 5,398 tokens had
/// 5,398 find its bucket compiled by 5,427, 29 tokens above it, not by 4,920). Between two lengths whose later sent
/// paid, nothing sent before had compiled its bucket, the other one's included: they are in different buckets.</item>
/// </list>
/// A gap that may lie between two buckets and is wider than every bucket width shown near it (<see cref="NeighbourhoodGaps"/> gaps either side) may hold a whole
/// bucket, and its midpoint is where the next round sends a rung: a bucket at least half the gap wide that lies inside
/// holds it. A gap no wider than a width shown nearby cannot hold a bucket of that width; one narrower than
/// <see cref="MinGap"/> cannot hold any worth a rung.
/// </summary>
public static class HiddenBuckets
{
    /// <summary>No midpoint in a narrower gap: a bucket of <see cref="PrefillRungs.MinSpacing"/> tokens or more between its ends holds the midpoint of a gap up to twice that.</summary>
    public const int MinGap = 2 * PrefillRungs.MinSpacing;

    /// <summary>How far (in gap widths, either side) the bucket widths shown around a gap count for it: buckets that grow with the length differ far apart.</summary>
    public const int NeighbourhoodGaps = 2;

    /// <summary>
    /// The midpoints of the gaps that may hold a whole unseen bucket, none at a length already sent, the widest gap's
    /// first (a budget trim drops from the end).
    /// </summary>
    public static IReadOnlyList<int> Midpoints(IReadOnlyList<SentLength> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var first = new Dictionary<int, int>();
        for (var i = 0; i < history.Count; i++)
        {
            first.TryAdd(history[i].Length, i);
        }

        var widths = ShownWidths(history, first, out var sharers);
        var points = first.Keys.Order().ToList();
        var midpoints = new List<(int At, int Gap)>();
        for (var i = 1; i < points.Count; i++)
        {
            var (low, high) = (points[i - 1], points[i]);
            var gap = high - low;
            var later = first[low] > first[high] ? low : high;
            if (gap < MinGap || sharers.GetValueOrDefault(later) == (later == high ? low : high))
            {
                continue;
            }

            var shown = widths.Where(w => w.At >= low - (NeighbourhoodGaps * gap) && w.At <= high + (NeighbourhoodGaps * gap)).Select(w => w.Width).DefaultIfEmpty(0).Max();
            if (gap > shown)
            {
                midpoints.Add((low + (gap / 2), gap));
            }
        }

        return midpoints.OrderByDescending(m => m.Gap).Select(m => m.At).ToList();
    }

    // Each length whose first request did not pay shares its bucket with its nearer neighbour sent before it, or with the
    // farther one: the bucket is at least as wide as the distance to the nearer, which is also the likelier to share it
    // (sharers: length → that neighbour).
    private static List<(int At, int Width)> ShownWidths(IReadOnlyList<SentLength> history, Dictionary<int, int> first, out Dictionary<int, int> sharers)
    {
        var widths = new List<(int At, int Width)>();
        sharers = [];
        foreach (var (length, index) in first)
        {
            if (history[index].Paid != false)
            {
                continue;
            }

            var before = history.Take(index).Select(h => h.Length).ToList();
            var below = before.Where(l => l < length).DefaultIfEmpty(int.MinValue).Max();
            var above = before.Where(l => l > length).DefaultIfEmpty(int.MaxValue).Min();
            var (toBelow, toAbove) = (below == int.MinValue ? int.MaxValue : length - below, above == int.MaxValue ? int.MaxValue : above - length);
            if (Math.Min(toBelow, toAbove) != int.MaxValue)
            {
                // The bucket holds both lengths: one token wider than the distance between them.
                widths.Add((length, Math.Min(toBelow, toAbove) + 1));
                sharers[length] = toBelow <= toAbove ? below : above;
            }
        }

        return widths;
    }
}

/// <summary>A prompt length the loop sent, in the order sent, and whether its first request paid a cold path (null: could not be judged).</summary>
public sealed record SentLength(int Length, bool? Paid);
