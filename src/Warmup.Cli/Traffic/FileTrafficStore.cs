using Warmup.Cli.ShapeMaps;
using Warmup.Core.Traffic;

namespace Warmup.Cli.Traffic;

/// <summary>
/// What the CLI keeps of a target's users' traffic between runs, in one file beside the target's shape map: the
/// <see cref="TrafficRecord"/> (the last scrape is the base of the next delta) and the prompt lengths Warmup's own runs
/// sent since that scrape, to take out of the next delta. The idle timer reads its own traffic back from the run
/// instances; the CLI has no history of its runs, so it keeps them here.
/// </summary>
/// <param name="Record">The ledger as of the last check.</param>
/// <param name="OwnSinceCheck">Prompt lengths Warmup sent since <see cref="TrafficRecord.CheckedAt"/>.</param>
internal sealed record KeptTraffic(TrafficRecord Record, IReadOnlyList<SentLength> OwnSinceCheck);

/// <summary>
/// One JSON file per target in the shape maps' cache folder (<see cref="FileShapeMapStore.PathFor(string, string)"/>
/// with a <c>.traffic.json</c> ending). A file that cannot be read is no file: the next check then counts the server's
/// histogram since it started, as a first run does.
/// </summary>
internal sealed class FileTrafficStore(FileShapeMapStore maps)
{
    public const string Extension = ".traffic.json";

    public string PathFor(string target) => maps.PathFor(target, Extension);

    public async Task<KeptTraffic?> GetAsync(string target, CancellationToken cancellationToken)
        => await CacheFile.ReadAsync<KeptTraffic>(PathFor(target), cancellationToken).ConfigureAwait(false) is { Record.Target.Length: > 0 } kept ? kept : null;

    public Task SaveAsync(KeptTraffic kept, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kept);
        return CacheFile.WriteAsync(PathFor(kept.Record.Target), kept, cancellationToken);
    }
}
