using System.Globalization;
using Warmup.Simulator;

namespace Warmup.Bench.Adaptive;

/// <summary>Reads what the simulator counted: cold penalties by kind from /metrics, modelled busy time from its log.</summary>
internal static class ServerMeter
{
    private const string PenaltySeries = "sim:cold_penalties_total{";

    /// <summary>sim:cold_penalties_total by kind, scraped over HTTP like any Prometheus client would.</summary>
    public static async Task<IReadOnlyDictionary<string, long>> PenaltiesAsync(HttpClient http, Uri baseUrl, CancellationToken cancellationToken)
    {
        var text = await http.GetStringAsync(new Uri(baseUrl, "metrics"), cancellationToken);
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(PenaltySeries, StringComparison.Ordinal))
            {
                continue;
            }

            var kindAt = line.IndexOf("kind=\"", StringComparison.Ordinal) + 6;
            var kind = line[kindAt..line.IndexOf('"', kindAt)];
            counts[kind] = (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        }

        return counts;
    }

    public static IReadOnlyDictionary<string, long> Delta(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after)
        => after.Select(kv => (kv.Key, Value: kv.Value - before.GetValueOrDefault(kv.Key)))
            .Where(kv => kv.Value > 0)
            .ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <summary>
    /// Seconds the server had at least one request in flight (union of arrival..last chunk), divided by the time scale:
    /// the server time a GPU owner pays for, at real speed.
    /// </summary>
    public static double BusySeconds(IEnumerable<RequestRecord> records, double timeScale)
    {
        var spans = records.Select(r => (Start: r.ArrivalUnixNs, End: r.Chunks.Count == 0 ? r.ArrivalUnixNs : r.Chunks[^1].SentUnixNs))
            .OrderBy(s => s.Start)
            .ToList();
        long busy = 0;
        long start = 0;
        var end = long.MinValue;
        foreach (var span in spans)
        {
            if (span.Start > end)
            {
                busy += end > start ? end - start : 0;
                (start, end) = span;
            }
            else
            {
                end = Math.Max(end, span.End);
            }
        }

        busy += end > start ? end - start : 0;
        return Math.Round(busy / 1e9 / timeScale, 2);
    }
}
