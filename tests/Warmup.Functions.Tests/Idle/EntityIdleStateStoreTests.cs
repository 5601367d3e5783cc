using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Client.Entities;
using Microsoft.DurableTask.Entities;
using Moq;
using Warmup.Functions.Idle;

namespace Warmup.Functions.Tests.Idle;

public sealed class EntityIdleStateStoreTests
{
    [Fact]
    public async Task Reads_the_target_entity_and_signals_a_record_operation()
    {
        var saved = new IdleObservation { Target = "llama-prod", CheckedAt = DateTimeOffset.UnixEpoch, RequestsCompleted = 7 };
        var entities = new Mock<DurableEntityClient>(MockBehavior.Strict, "test");
        var id = new EntityInstanceId(IdleTrackerEntity.EntityName, "llama-prod");
        entities.Setup(e => e.GetEntityAsync<IdleObservation>(id, true, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new EntityMetadata<IdleObservation>(id, saved));
        entities.Setup(e => e.GetEntityAsync<IdleObservation>(id, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new EntityMetadata<IdleObservation>(id, saved));
        entities.Setup(e => e.SignalEntityAsync(id, IdleTrackerEntity.RecordOperation, saved, It.IsAny<SignalEntityOptions?>(), It.IsAny<CancellationToken>()))
            .Returns(Task.CompletedTask);
        var client = new Mock<DurableTaskClient>(MockBehavior.Loose, "test") { CallBase = true };
        client.SetupGet(c => c.Entities).Returns(entities.Object);
        var store = new EntityIdleStateStore();

        var read = await store.GetAsync(client.Object, "llama-prod", CancellationToken.None);
        await store.SaveAsync(client.Object, saved, CancellationToken.None);

        Assert.Same(saved, read);
        entities.Verify(e => e.SignalEntityAsync(id, IdleTrackerEntity.RecordOperation, saved, It.IsAny<SignalEntityOptions?>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public void Entity_record_operation_replaces_the_state()
    {
        var entity = new IdleTrackerEntity();
        var observation = new IdleObservation { Target = "x", RequestsCompleted = 3 };

        entity.Record(observation);

        // TaskEntity<T>.State is protected: read it the way the dispatcher's serializer would see it.
        var state = typeof(IdleTrackerEntity).GetProperty("State", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!.GetValue(entity);
        Assert.Same(observation, state);
    }
}
