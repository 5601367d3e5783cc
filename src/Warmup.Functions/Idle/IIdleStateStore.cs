using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Entities;

namespace Warmup.Functions.Idle;

/// <summary>Where the idle timer keeps its per-target observations.</summary>
public interface IIdleStateStore
{
    Task<IdleObservation?> GetAsync(DurableTaskClient client, string target, CancellationToken cancellationToken);

    Task SaveAsync(DurableTaskClient client, IdleObservation observation, CancellationToken cancellationToken);
}

/// <summary>Keeps observations in <see cref="IdleTrackerEntity"/> instances through the durable client.</summary>
public sealed class EntityIdleStateStore : IIdleStateStore
{
    public static EntityInstanceId EntityIdFor(string target) => new(IdleTrackerEntity.EntityName, target);

    public async Task<IdleObservation?> GetAsync(DurableTaskClient client, string target, CancellationToken cancellationToken)
    {
        var entity = await client.Entities.GetEntityAsync<IdleObservation>(EntityIdFor(target), cancellationToken);
        return entity?.State is { Target.Length: > 0 } state ? state : null;
    }

    public Task SaveAsync(DurableTaskClient client, IdleObservation observation, CancellationToken cancellationToken) =>
        client.Entities.SignalEntityAsync(EntityIdFor(observation.Target), IdleTrackerEntity.RecordOperation, observation, cancellation: cancellationToken);
}
