using Warmup.Core.Dialects;
using Warmup.Core.Dialects.Metrics;
using Warmup.Core.Prompts;

namespace Warmup.Core.Traffic;

/// <summary>
/// Folds one metrics check into a target's <see cref="TrafficRecord"/>. The server's prompt histogram is cumulative, so
/// users' requests since the last check are the difference per bucket, less the requests Warmup itself sent in that time
/// (<see cref="OwnTraffic"/>). A bucket that went down means the server restarted and its counters began again at zero:
/// the whole histogram is then the traffic since the restart. The idle timer's first check only sets the base (what came
/// before it cannot be told apart from Warmup's earlier runs, whose reports it does not look for); the CLI, which checks
/// only when it runs and keeps its own runs' traffic itself, counts the histogram since the server started
/// (<paramref name="firstCheckCounts"/>). Pure, so it is tested without a timer.
/// </summary>
public static class TrafficLedger
{
    /// <param name="own">Prompt lengths Warmup sent since the last check (its runs started after it).</param>
    /// <param name="firstCheckCounts">
    /// Without a base to compare with, count the whole cumulative histogram (less <paramref name="own"/>) as users'
    /// rather than only keeping it as the base.
    /// </param>
    public static TrafficRecord Update(
        TrafficRecord? previous, string target, string? model, ServerLoad? load, IReadOnlyList<SentLength> own, DateTimeOffset now,
        bool firstCheckCounts = false)
    {
        ArgumentNullException.ThrowIfNull(own);
        if (previous is not null && !string.Equals(previous.Model, model, StringComparison.Ordinal))
        {
            // Users' habits were observed on another model: they say nothing about this one's shapes.
            previous = null;
        }

        var record = previous ?? new TrafficRecord { Target = target, Model = model, Since = now };
        record = record with { Target = target, Model = model, CheckedAt = now };
        if (load is null)
        {
            return record;
        }

        record = record with { MaxRunning = Math.Max(record.MaxRunning, (int)Math.Round(load.Running)) };
        if (load.Traffic is not { } traffic)
        {
            return record;
        }

        if (traffic.AdaptersByUse.Count > 0)
        {
            record = record with { AdaptersByUse = traffic.AdaptersByUse };
        }

        record = record with { MaxLoadedAdapters = traffic.MaxLoadedAdapters ?? record.MaxLoadedAdapters };
        if (traffic.PromptTokens is not { } histogram)
        {
            return record with { LastScrape = [] };
        }

        var scraped = histogram.Buckets;
        var current = PerBucket(scraped);
        var first = previous is null || previous.LastScrape.Count == 0;
        if (first && !firstCheckCounts)
        {
            return record with { LastScrape = scraped };
        }

        var before = first ? [] : PerBucket(previous!.LastScrape);
        var restarted = !first && (!SameBounds(current, before) || current.Zip(before).Any(p => p.First.Requests < p.Second.Requests));
        var delta = first || restarted
            ? current
            : current.Zip(before, (c, b) => c with { Requests = c.Requests - b.Requests }).ToList();
        delta = LessOwn(delta, own);
        return record with
        {
            LastScrape = scraped,
            UserPrompts = Add(record.UserPrompts, delta),
            CounterResets = record.CounterResets + (restarted ? 1 : 0),
        };
    }

    /// <summary>Cumulative buckets to requests per (low, high] bucket.</summary>
    private static List<UserBucket> PerBucket(IReadOnlyList<HistogramBucket> cumulative)
    {
        var buckets = new List<UserBucket>(cumulative.Count);
        double low = 0;
        double below = 0;
        foreach (var bucket in cumulative)
        {
            buckets.Add(new UserBucket(low, bucket.UpperBound, bucket.CumulativeCount - below));
            low = bucket.UpperBound;
            below = bucket.CumulativeCount;
        }

        return buckets;
    }

    private static bool SameBounds(List<UserBucket> a, List<UserBucket> b)
        => a.Count == b.Count && a.Zip(b).All(p => p.First.High.Equals(p.Second.High));

    /// <summary>
    /// Takes Warmup's requests out of the buckets. Warmup knows the length it asked for, and the server counts what it
    /// received, which may differ by the prompt factory's tolerance: a request asked near a bucket's edge can land in
    /// the neighbouring bucket. So each length may be taken from any bucket within its tolerance, and as many of
    /// Warmup's requests as the counts allow are taken out: buckets in order, each serving first the lengths that can go
    /// no further up (earliest deadline first, which matches the most on a line). Never below zero: a negative count
    /// would hide users.
    /// </summary>
    private static List<UserBucket> LessOwn(List<UserBucket> delta, IReadOnlyList<SentLength> own)
    {
        var left = delta.Select(b => b.Requests).ToArray();
        var reach = own
            .Select(s => (Band: Band(s.PromptTokens), s.Requests))
            .Select(s => (First: delta.FindIndex(b => Overlaps(b, s.Band)), Last: delta.FindLastIndex(b => Overlaps(b, s.Band)), Requests: (double)s.Requests))
            .Where(s => s.First >= 0)
            .ToList();
        var pending = new List<(int Last, double Requests)>();
        for (var i = 0; i < delta.Count; i++)
        {
            pending.AddRange(reach.Where(s => s.First == i).Select(s => (s.Last, s.Requests)));
            pending.Sort((a, b) => a.Last.CompareTo(b.Last));
            for (var k = 0; k < pending.Count && left[i] > 0; k++)
            {
                var take = Math.Min(left[i], pending[k].Requests);
                left[i] -= take;
                pending[k] = pending[k] with { Requests = pending[k].Requests - take };
            }

            // Lengths that cannot reach a later bucket and found no count here were not counted by the server as such.
            pending.RemoveAll(p => p.Requests <= 0 || p.Last <= i);
        }

        return delta.Select((b, i) => b with { Requests = left[i] }).ToList();
    }

    /// <summary>The lengths a request asked at <paramref name="length"/> may have been counted at (the prompt factory's tolerance).</summary>
    private static (double Low, double High) Band(int length)
    {
        var tolerance = Math.Max(PromptFactory.AbsoluteToleranceTokens, Math.Floor(length * PromptFactory.RelativeTolerance));
        return (length - tolerance, length + tolerance);
    }

    private static bool Overlaps(UserBucket bucket, (double Low, double High) lengths) => bucket.Low < lengths.High && bucket.High >= lengths.Low;

    private static List<UserBucket> Add(IReadOnlyList<UserBucket> total, List<UserBucket> delta)
    {
        var sums = total.ToDictionary(b => (b.Low, b.High), b => b.Requests);
        foreach (var b in delta.Where(b => b.Requests > 0))
        {
            sums[(b.Low, b.High)] = sums.GetValueOrDefault((b.Low, b.High)) + b.Requests;
        }

        return sums.Select(kv => new UserBucket(kv.Key.Low, kv.Key.High, kv.Value)).OrderBy(b => b.High).ToList();
    }
}
