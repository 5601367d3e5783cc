namespace Warmup.Core.Adaptive;

/// <summary>
/// Prompt-length arithmetic of the loop. A prefill shape (bucket) is a range of lengths the server compiles once; a
/// length verification found cold lies in a bucket no length sent so far touched, so that bucket is narrower than the
/// gap between the sent lengths around it. Rungs no further apart than that gap cannot skip a bucket as wide as the
/// gap, and buckets elsewhere are likely as narrow (servers compile evenly spaced or doubling buckets), so every gap
/// wider than the spacing gets rungs; where lengths stay cold the spacing halves. Never finer than <see cref="MinSpacing"/> tokens: no engine compiles finer
/// prefill shapes, and finer would only spend tokens.
/// </summary>
public static class PrefillRungs
{
    public const int MinSpacing = 64;

    /// <summary>
    /// The length a learned map replays for a request that compiled a bucket at <paramref name="length"/> tokens: the
    /// middle of the <see cref="MinSpacing"/>-token cell holding it (never over <paramref name="longest"/>). Prompts land
    /// within a tolerance of the length asked for, and the coarse ladder's lengths (1920, 3840, 7680) sit exactly on
    /// multiples of 64 where evenly spaced buckets have their edges: replayed as they are, a prompt a few tokens longer
    /// than last time compiles the next bucket and leaves its own cold. Bucket edges no finer than 64 tokens fall on cell
    /// boundaries, so the middle of the cell is as far as a length can be from them without knowing where they are.
    /// Lengths within the first cell are kept as sent: doubling buckets have an edge inside it (the ladder's 60-token rung
    /// replayed at 32 compiled the bucket below its own), and a prompt that short lands within a couple of tokens.
    /// </summary>
    public static int CellCentre(int length, int longest)
        => length <= MinSpacing
            ? Math.Clamp(length, 1, longest)
            : Math.Max(1, Math.Min(longest, (Math.Max(0, length - 1) / MinSpacing * MinSpacing) + (MinSpacing / 2)));

    /// <summary>
    /// The length a learned map replays for <paramref name="length"/>, one of the lengths that paid a cold path
    /// (<paramref name="paid"/>): the middle of its cell (<see cref="CellCentre"/>), unless another paid length lies
    /// within a cell of it on that side. Each paid length compiled a bucket of its own, so an edge lies between the two,
    /// and it need not be a multiple of 64: on a held-out profile with a (1000, 1100] bucket, 1,005 tokens had compiled
    /// it and 987 the bucket below, and 1,005 replayed at its cell's middle (992) compiled nothing new and left
    /// (1000, 1100] cold. Then the length is replayed as it was sent, the one point known to be in its bucket.
    /// </summary>
    public static int ReplayLength(int length, IReadOnlyCollection<int> paid, int longest)
    {
        ArgumentNullException.ThrowIfNull(paid);
        var centre = CellCentre(length, longest);
        var acrossAnEdge = centre < length
            ? paid.Any(p => p < length && p >= length - MinSpacing)
            : centre > length && paid.Any(p => p > length && p <= length + MinSpacing);
        return acrossAnEdge ? Math.Clamp(length, 1, longest) : centre;
    }

    /// <summary>The nearest sent lengths below and above <paramref name="length"/> (0 and <paramref name="longest"/> at the ends).</summary>
    public static (int Low, int High) Neighbours(IReadOnlyCollection<int> sent, int length, int longest)
    {
        var low = sent.Where(l => l < length).DefaultIfEmpty(0).Max();
        var high = sent.Where(l => l > length).DefaultIfEmpty(Math.Max(longest, length)).Min();
        return (low, high);
    }

    /// <summary>
    /// The spacing after a round whose verification found cold lengths in gaps <paramref name="narrowestGap"/> wide (the
    /// round's second narrowest cold gap, see <see cref="RoundPlanner"/>): half that gap at first (the cold length's bucket fits inside the gap,
    /// and buckets elsewhere are likely no narrower; half, so the loop converges in few rounds), then, when lengths are
    /// still cold, half the spacing (or half the gap, if narrower). Never under <see cref="MinSpacing"/>.
    /// </summary>
    public static int SpacingFor(int narrowestGap, int? previous)
        => Math.Max(MinSpacing, previous is { } p ? Math.Min(p / 2, narrowestGap / 2) : narrowestGap / 2);

    /// <summary>
    /// The ratio between neighbouring rungs after a round whose cold lengths lay between sent lengths typically
    /// <paramref name="gapRatio"/> apart (high over low, the upper middle over the round's cold lengths): the square root,
    /// halfway on a log scale, as <see cref="SpacingFor"/> halves the gap; when a ratio is already set, the square root of
    /// that if it is finer. Buckets that grow with the length (doubling, or exponential bucketing growing by half) are
    /// narrow where prompts are short: a spacing learned from cold gaps of a thousand tokens left two buckets of 72 and
    /// 243 tokens cold below 1,000.
    /// </summary>
    public static double RatioFor(double gapRatio, double? previous)
        => Math.Sqrt(previous is { } p ? Math.Min(p, gapRatio) : gapRatio);

    /// <summary>
    /// New rungs so that no two neighbouring lengths of <paramref name="sent"/> (and the longest prompt) are more than
    /// <paramref name="ratio"/> apart, spread evenly on a log scale; no more rungs in a stretch than <see cref="Fill"/>
    /// would put there at <see cref="MinSpacing"/>.
    /// </summary>
    public static IReadOnlyList<int> FillRatio(IReadOnlyCollection<int> sent, double ratio, int longest)
    {
        var points = sent.Where(l => l > 0 && l <= longest).Append(longest).Distinct().Order().ToList();
        var rungs = new List<int>();
        for (var i = 1; i < points.Count && ratio > 1; i++)
        {
            var (low, high) = (points[i - 1], points[i]);
            // As many parts as the ratio asks for, but no more than one per MinSpacing tokens begun (as Fill spaces them).
            var parts = Math.Min((int)Math.Ceiling((Math.Log((double)high / low) / Math.Log(ratio)) - 1e-9), (high - low + MinSpacing - 1) / MinSpacing);
            for (var k = 1; k < parts; k++)
            {
                rungs.Add((int)Math.Round(low * Math.Pow((double)high / low, (double)k / parts)));
            }
        }

        return rungs;
    }

    /// <summary>New rungs so that no gap between sent lengths (and 0, and the longest prompt) is wider than <paramref name="spacing"/>.</summary>
    public static IReadOnlyList<int> Fill(IReadOnlyCollection<int> sent, int spacing, int longest)
    {
        var points = sent.Where(l => l > 0 && l <= longest).Append(0).Append(longest).Distinct().Order().ToList();
        var rungs = new List<int>();
        for (var i = 1; i < points.Count; i++)
        {
            for (var rung = points[i - 1] + spacing; rung < points[i]; rung += spacing)
            {
                rungs.Add(rung);
            }
        }

        return rungs;
    }

    /// <summary>Rungs strictly between <paramref name="low"/> and <paramref name="high"/>, <paramref name="spacing"/> apart (never under <see cref="MinSpacing"/>).</summary>
    public static IReadOnlyList<int> Between(int low, int high, int spacing)
    {
        var step = Math.Max(MinSpacing, spacing);
        var rungs = new List<int>();
        for (var rung = low + step; rung < high; rung += step)
        {
            rungs.Add(rung);
        }

        return rungs;
    }

    /// <summary>
    /// The fewest of <paramref name="lengths"/> that still leave no gap wider than <paramref name="spacing"/> (a learned
    /// map's lengths thinned for the next warm-up): a length is dropped when its neighbours are close enough without it.
    /// The longest length is always kept.
    /// </summary>
    public static IReadOnlyList<int> Thin(IReadOnlyCollection<int> lengths, int spacing)
    {
        var sorted = lengths.Where(l => l > 0).Distinct().Order().ToList();
        var kept = new List<int>();
        var last = 0;
        for (var i = 0; i < sorted.Count; i++)
        {
            var next = i + 1 < sorted.Count ? sorted[i + 1] : int.MaxValue;
            if (i == sorted.Count - 1 || next - last > spacing)
            {
                kept.Add(sorted[i]);
                last = sorted[i];
            }
        }

        return kept;
    }
}
