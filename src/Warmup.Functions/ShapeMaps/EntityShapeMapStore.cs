using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Entities;
using Warmup.Core.ShapeMaps;

namespace Warmup.Functions.ShapeMaps;

/// <summary>
/// Keeps shape maps in <see cref="ShapeMapEntity"/> instances. The isolated worker only hands a durable client to a
/// function's own binding, so the activity shims create this store per invocation with theirs.
/// </summary>
public sealed class EntityShapeMapStore(DurableTaskClient client) : IShapeMapStore
{
    public static EntityInstanceId EntityIdFor(string target) => new(ShapeMapEntity.EntityName, target);

    /// <summary>
    /// The target's map, or none. A stored state that no longer reads as a map (a format this build does not know) is
    /// no map: the map is a cache, the warm-up starts from the coarse ladder and its save replaces the state.
    /// </summary>
    public async Task<ShapeMap?> GetAsync(string target, CancellationToken cancellationToken)
    {
        try
        {
            var entity = await client.Entities.GetEntityAsync<ShapeMapState>(EntityIdFor(target), cancellationToken);
            return entity?.State?.Map;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public Task SaveAsync(ShapeMap map, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(map);
        return client.Entities.SignalEntityAsync(EntityIdFor(map.Target), ShapeMapEntity.SaveOperation, map, cancellation: cancellationToken);
    }

    public Task DeleteAsync(string target, CancellationToken cancellationToken)
        => client.Entities.SignalEntityAsync(EntityIdFor(target), ShapeMapEntity.ClearOperation, cancellation: cancellationToken);
}
