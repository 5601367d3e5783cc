using System.Globalization;
using Warmup.Simulator;

namespace Warmup.Cli.Demo;

/// <summary>
/// What the simulator charged a request before its first token (compiles, graph captures, KV growth, idle ramp):
/// the demo's ground truth beside the measured TTFT, which on a busy machine carries scheduling noise.
/// </summary>
internal static class ChargedPenalties
{
    private static readonly TimeSpan RecordWait = TimeSpan.FromSeconds(5);

    /// <summary>The sequence number of the last request the simulator logged, or 0.</summary>
    public static long LastSequence(SimulatorLog log) => log.Snapshot() is { Count: > 0 } records ? records[^1].Sequence : 0;

    /// <summary>The penalties of the first request logged after <paramref name="after"/> (records land when a request ends).</summary>
    public static async Task<IReadOnlyList<ChargedPenalty>> OfNextRequestAsync(SimulatorLog log, long after, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + RecordWait;
        while (true)
        {
            if (log.Since(after) is { Count: > 0 } records)
            {
                return records[0].Penalties.Where(p => p.BeforeFirstToken).ToList();
            }

            if (DateTime.UtcNow > deadline)
            {
                return [];
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    public static string Describe(IReadOnlyList<ChargedPenalty> penalties) => penalties.Count == 0
        ? "none"
        : string.Join(", ", penalties.Select(p => $"{p.Name} ({p.Ms.ToString("0.#", CultureInfo.InvariantCulture)} ms)"));
}
