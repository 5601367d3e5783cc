using System.Text.Json;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Client.Entities;
using Microsoft.DurableTask.Entities;
using Moq;
using Warmup.Core.Dialects.Metrics;
using Warmup.Core.Traffic;
using Warmup.Functions.Traffic;

namespace Warmup.Functions.Tests.Traffic;

public sealed class ObservedTrafficEntityTests
{
    private static readonly TrafficRecord Record = new()
    {
        Target = "llama-prod",
        Model = "m",
        CheckedAt = DateTimeOffset.UnixEpoch,
        LastScrape = [new HistogramBucket(1000, 3), new HistogramBucket(double.PositiveInfinity, 5)],
        UserPrompts = [new UserBucket(5000, double.PositiveInfinity, 2)],
        MaxRunning = 7,
    };

    [Fact]
    public async Task Reads_the_target_entity_and_signals_a_record_operation()
    {
        var entities = new Mock<DurableEntityClient>(MockBehavior.Strict, "test");
        var id = new EntityInstanceId(ObservedTrafficEntity.EntityName, "llama-prod");
        entities.Setup(e => e.GetEntityAsync<TrafficRecord>(id, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new EntityMetadata<TrafficRecord>(id, Record));
        entities.Setup(e => e.SignalEntityAsync(id, ObservedTrafficEntity.RecordOperation, Record, It.IsAny<SignalEntityOptions?>(), It.IsAny<CancellationToken>()))
            .Returns(Task.CompletedTask);
        var client = new Mock<DurableTaskClient>(MockBehavior.Loose, "test") { CallBase = true };
        client.SetupGet(c => c.Entities).Returns(entities.Object);
        var store = new EntityObservedTrafficStore(client.Object);

        var read = await store.GetAsync("llama-prod", CancellationToken.None);
        await store.SaveAsync(Record, CancellationToken.None);

        Assert.Same(Record, read);
        entities.Verify(e => e.SignalEntityAsync(id, ObservedTrafficEntity.RecordOperation, Record, It.IsAny<SignalEntityOptions?>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public void Entity_record_operation_replaces_the_state()
    {
        var entity = new ObservedTrafficEntity();

        entity.Record(Record);

        var state = typeof(ObservedTrafficEntity).GetProperty("State", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!.GetValue(entity);
        Assert.Same(Record, state);
    }

    [Theory]
    [InlineData(JsonSerializerDefaults.General)]
    [InlineData(JsonSerializerDefaults.Web)]
    public void The_state_survives_JSON_with_its_open_ended_last_bucket(JsonSerializerDefaults defaults)
    {
        var options = new JsonSerializerOptions(defaults);

        var back = JsonSerializer.Deserialize<TrafficRecord>(JsonSerializer.Serialize(Record, options), options)!;

        Assert.Equal(Record.LastScrape, back.LastScrape);
        Assert.Equal(Record.UserPrompts, back.UserPrompts);
        Assert.Equal((5001, (int?)null, 7), (back.Observed().ShortestPrompt, back.Observed().LongestPrompt, back.Observed().MaxRunning));
    }
}
