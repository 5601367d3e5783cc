using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Entities;
using Warmup.Core.Traffic;

namespace Warmup.Functions.Traffic;

/// <summary>
/// Keeps traffic records in <see cref="ObservedTrafficEntity"/> instances. Like the shape-map store, it is created per
/// invocation with that function's durable client binding (the isolated worker hands out no other).
/// </summary>
public sealed class EntityObservedTrafficStore(DurableTaskClient client) : IObservedTrafficStore
{
    public static EntityInstanceId EntityIdFor(string target) => new(ObservedTrafficEntity.EntityName, target);

    public async Task<TrafficRecord?> GetAsync(string target, CancellationToken cancellationToken)
    {
        var entity = await client.Entities.GetEntityAsync<TrafficRecord>(EntityIdFor(target), cancellationToken);
        return entity?.State is { Target.Length: > 0 } state ? state : null;
    }

    public Task SaveAsync(TrafficRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return client.Entities.SignalEntityAsync(EntityIdFor(record.Target), ObservedTrafficEntity.RecordOperation, record, cancellation: cancellationToken);
    }
}
