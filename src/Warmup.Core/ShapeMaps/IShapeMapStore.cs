namespace Warmup.Core.ShapeMaps;

/// <summary>
/// Where learned shape maps are kept, one per target. Each host plugs its own: the Functions app a Durable entity, the
/// CLI a file under the user's cache folder; <see cref="InMemoryShapeMapStore"/> is the default (one process).
/// </summary>
public interface IShapeMapStore
{
    Task<ShapeMap?> GetAsync(string target, CancellationToken cancellationToken);

    Task SaveAsync(ShapeMap map, CancellationToken cancellationToken);

    Task DeleteAsync(string target, CancellationToken cancellationToken);
}

/// <summary>Keeps maps for the life of the process (the engine's default, and tests').</summary>
public sealed class InMemoryShapeMapStore : IShapeMapStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ShapeMap> _maps = new(StringComparer.Ordinal);

    public Task<ShapeMap?> GetAsync(string target, CancellationToken cancellationToken)
        => Task.FromResult(_maps.TryGetValue(target, out var map) ? map : null);

    public Task SaveAsync(ShapeMap map, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(map);
        _maps[map.Target] = map;
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string target, CancellationToken cancellationToken)
    {
        _maps.TryRemove(target, out _);
        return Task.CompletedTask;
    }
}

/// <summary>Neither reads nor keeps maps (CLI <c>--no-cache</c>): every warm-up starts from the coarse ladder.</summary>
public sealed class NoShapeMapStore : IShapeMapStore
{
    public Task<ShapeMap?> GetAsync(string target, CancellationToken cancellationToken) => Task.FromResult<ShapeMap?>(null);

    public Task SaveAsync(ShapeMap map, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DeleteAsync(string target, CancellationToken cancellationToken) => Task.CompletedTask;
}
