namespace Warmup.Core.Analysis;

/// <summary>
/// Finds the cold paths that one hiccup would hide. The run's noise floor takes its absolute part from the largest
/// hiccup any short steady sample showed, so that a single slow first request never fails a warm run; but on a loaded
/// machine one such hiccup (hundreds of milliseconds) then excuses every shape, real cold paths included (seen: three
/// adapters each loading for 200 ms, judged warm). A hiccup is rare by nature, and the run's own steady samples show how
/// rare: when more first-user-like requests are beyond the run's typical noise than that rate can explain (a one-sided
/// binomial tail under <see cref="Significance"/>), they are not hiccups, and each of them is judged cold.
/// </summary>
public static class WidespreadExcess
{
    /// <summary>How unlikely, under the steady samples' own hiccup rate, the count of slow first requests must be.</summary>
    public const double Significance = 0.01;

    /// <summary>
    /// The indices of <paramref name="shapes"/> judged cold together, or none. A shape is beyond the typical noise when
    /// its first-user-like TTFT is over <paramref name="threshold"/> times its steady median and more than
    /// <paramref name="typicalFloorMs"/> (of that median) over it; a steady sample strays when it is that far over its
    /// own shape's median. The rate adds one stray and one sample to each side, so a run whose few steady samples never
    /// strayed is not taken to have no hiccups at all.
    /// </summary>
    public static IReadOnlyList<int> Cold(
        IReadOnlyList<(double FirstMs, IReadOnlyList<double> SteadyMs)> shapes, double threshold, Func<double, double> typicalFloorMs)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        ArgumentNullException.ThrowIfNull(typicalFloorMs);
        var beyond = new List<int>();
        int strays = 0, samples = 0;
        for (var i = 0; i < shapes.Count; i++)
        {
            var (first, steady) = shapes[i];
            var median = Percentiles.Median(steady);
            var floor = typicalFloorMs(median);
            if (first / Math.Max(median, 1e-3) > threshold && first - median > floor)
            {
                beyond.Add(i);
            }

            // One sample is its own median: it cannot show a hiccup.
            if (steady.Count > 1)
            {
                samples += steady.Count;
                strays += steady.Count(ms => ms - median > floor);
            }
        }

        var rate = (strays + 1.0) / (samples + 2.0);
        return beyond.Count >= 2 && AtLeast(beyond.Count, shapes.Count, rate) < Significance ? beyond : [];
    }

    /// <summary>P(X ≥ <paramref name="k"/>) for X ~ Binomial(<paramref name="n"/>, <paramref name="p"/>).</summary>
    public static double AtLeast(int k, int n, double p)
    {
        var total = 0.0;
        for (var j = k; j <= n; j++)
        {
            total += Math.Exp(LogChoose(n, j) + (j * Math.Log(p)) + ((n - j) * Math.Log(1 - p)));
        }

        return total;
    }

    private static double LogChoose(int n, int k)
    {
        var log = 0.0;
        for (var i = 1; i <= k; i++)
        {
            log += Math.Log(n - k + i) - Math.Log(i);
        }

        return log;
    }
}
