using System.Globalization;
using System.Text.Json.Serialization;

namespace Warmup.Core.Dialects.Metrics;

/// <summary>One bucket of a Prometheus histogram: the requests at or below <paramref name="UpperBound"/>, cumulative as exported.</summary>
/// <param name="UpperBound">The bucket's le; +Inf for the last one (kept through JSON as the literal "Infinity").</param>
public sealed record HistogramBucket(
    [property: JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)] double UpperBound,
    double CumulativeCount);

/// <summary>
/// A Prometheus histogram read from its <c>_bucket{le=...}</c>, <c>_sum</c> and <c>_count</c> series, summed over every
/// other label (vLLM's engine index, model_name) for a per-server view. Buckets are ordered by bound, +Inf last.
/// </summary>
public sealed record PrometheusHistogram(IReadOnlyList<HistogramBucket> Buckets, double Sum, double Count)
{
    /// <summary>The histogram <paramref name="name"/> on the page, or null when the page has no bucket of it.</summary>
    public static PrometheusHistogram? Read(PrometheusText metrics, string name)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var byBound = new SortedDictionary<double, double>();
        foreach (var sample in metrics.Get(name + "_bucket"))
        {
            if (sample.Labels.TryGetValue("le", out var le) && TryParseBound(le, out var bound))
            {
                byBound[bound] = byBound.GetValueOrDefault(bound) + sample.Value;
            }
        }

        if (byBound.Count == 0)
        {
            return null;
        }

        var buckets = byBound.Select(kv => new HistogramBucket(kv.Key, kv.Value)).ToList();
        // _count is the +Inf bucket by definition; a page without either still has its largest bucket.
        var count = metrics.Sum(name + "_count") ?? buckets[^1].CumulativeCount;
        return new PrometheusHistogram(buckets, metrics.Sum(name + "_sum") ?? 0, count);
    }

    private static bool TryParseBound(string text, out double bound)
    {
        if (text is "+Inf" or "Inf")
        {
            bound = double.PositiveInfinity;
            return true;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out bound);
    }
}
