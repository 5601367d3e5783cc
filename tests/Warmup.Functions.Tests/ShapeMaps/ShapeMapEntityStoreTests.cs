using System.Text.Json;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Client.Entities;
using Microsoft.DurableTask.Entities;
using Moq;
using Warmup.Core.ShapeMaps;
using Warmup.Functions.ShapeMaps;

namespace Warmup.Functions.Tests.ShapeMaps;

/// <summary>
/// The Functions app's shape-map store: <see cref="EntityShapeMapStore"/> reads the target's <see cref="ShapeMapEntity"/>
/// and signals it, and the entity itself, dispatched by operation name the way the Durable worker does, with its state
/// serialized to JSON between operations as the task hub keeps it.
/// </summary>
public sealed class ShapeMapEntityStoreTests
{
    private static ShapeMap Map(string target = "llama-prod", string model = "m") => new(
        target, model, 8192, [480, 960, 1440], 480, 64, [19, 20, 21], ["sql-lora"], new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero), 2);

    [Fact]
    public async Task The_store_reads_the_targets_entity_and_signals_save_and_clear_to_it()
    {
        var map = Map();
        var id = new EntityInstanceId(ShapeMapEntity.EntityName, "llama-prod");
        var entities = new Mock<DurableEntityClient>(MockBehavior.Strict, "test");
        entities.Setup(e => e.GetEntityAsync<ShapeMapState>(id, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new EntityMetadata<ShapeMapState>(id, new ShapeMapState(map)));
        entities.Setup(e => e.SignalEntityAsync(id, ShapeMapEntity.SaveOperation, map, It.IsAny<SignalEntityOptions?>(), It.IsAny<CancellationToken>()))
            .Returns(Task.CompletedTask);
        entities.Setup(e => e.SignalEntityAsync(id, ShapeMapEntity.ClearOperation, It.IsAny<CancellationToken>()))
            .Returns(Task.CompletedTask);
        var store = new EntityShapeMapStore(Client(entities.Object));

        var read = await store.GetAsync("llama-prod", CancellationToken.None);
        await store.SaveAsync(map, CancellationToken.None);
        await store.DeleteAsync("llama-prod", CancellationToken.None);

        Assert.Same(map, read);
        entities.Verify(e => e.SignalEntityAsync(id, ShapeMapEntity.SaveOperation, map, It.IsAny<SignalEntityOptions?>(), It.IsAny<CancellationToken>()), Times.Once);
        entities.Verify(e => e.SignalEntityAsync(id, ShapeMapEntity.ClearOperation, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task A_target_never_learned_or_cleared_has_no_map()
    {
        var never = new EntityInstanceId(ShapeMapEntity.EntityName, "never");
        var cleared = new EntityInstanceId(ShapeMapEntity.EntityName, "cleared");
        var entities = new Mock<DurableEntityClient>(MockBehavior.Strict, "test");
        entities.Setup(e => e.GetEntityAsync<ShapeMapState>(never, It.IsAny<CancellationToken>())).ReturnsAsync((EntityMetadata<ShapeMapState>?)null);
        entities.Setup(e => e.GetEntityAsync<ShapeMapState>(cleared, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new EntityMetadata<ShapeMapState>(cleared, new ShapeMapState(null)));
        var store = new EntityShapeMapStore(Client(entities.Object));

        Assert.Null(await store.GetAsync("never", CancellationToken.None));
        Assert.Null(await store.GetAsync("cleared", CancellationToken.None));
    }

    [Fact]
    public async Task The_entity_keeps_the_saved_map_through_its_serialized_state_and_clear_forgets_it()
    {
        var entity = new ShapeMapEntity();
        var state = new JsonEntityState();

        await entity.RunAsync(new Operation(ShapeMapEntity.SaveOperation, state, Map()));
        var kept = state.GetState<ShapeMapState>()!.Map;

        Assert.NotNull(kept);
        Assert.Equal(Map().PromptLengths, kept.PromptLengths);
        Assert.Equal(Map().BatchSizes, kept.BatchSizes);
        Assert.Equal(Map().Adapters, kept.Adapters);
        Assert.Equal(Map() with { PromptLengths = kept.PromptLengths, BatchSizes = kept.BatchSizes, Adapters = kept.Adapters }, kept);

        // A later save (the next warm-up, another model) replaces it; clear (a model change) leaves no map.
        await new ShapeMapEntity().RunAsync(new Operation(ShapeMapEntity.SaveOperation, state, Map(model: "other")));
        Assert.Equal("other", state.GetState<ShapeMapState>()!.Map!.Model);
        await new ShapeMapEntity().RunAsync(new Operation(ShapeMapEntity.ClearOperation, state, null));
        Assert.Null(state.GetState<ShapeMapState>()!.Map);
    }

    [Fact]
    public async Task A_map_stored_before_the_kv_footprint_and_runs_fields_reads_as_keeping_the_burst_after_one_run_and_a_new_save_replaces_it()
    {
        var old = System.Text.Json.Nodes.JsonNode.Parse(JsonSerializer.Serialize(new ShapeMapState(Map())))!;
        Assert.True(old["Map"]!.AsObject().Remove(nameof(ShapeMap.KvFootprint)));
        Assert.True(old["Map"]!.AsObject().Remove(nameof(ShapeMap.Runs)));
        var state = new JsonEntityState(old.ToJsonString());

        var read = state.GetState<ShapeMapState>()!.Map!;
        await new ShapeMapEntity().RunAsync(new Operation(ShapeMapEntity.SaveOperation, state, Map() with { KvFootprint = false }));

        Assert.True(read.KvFootprint);
        Assert.Equal(1, read.Runs);
        Assert.Equal(Map().PromptLengths, read.PromptLengths);
        Assert.False(state.GetState<ShapeMapState>()!.Map!.KvFootprint);
    }

    [Fact]
    public async Task A_stored_state_this_build_cannot_read_is_no_map()
    {
        var id = new EntityInstanceId(ShapeMapEntity.EntityName, "llama-prod");
        var entities = new Mock<DurableEntityClient>(MockBehavior.Strict, "test");
        entities.Setup(e => e.GetEntityAsync<ShapeMapState>(id, It.IsAny<CancellationToken>()))
            .ThrowsAsync(new JsonException("The JSON value could not be converted to System.Collections.Generic.IReadOnlyList`1[System.Int32]. Path: $.Map.PromptLengths"));
        var store = new EntityShapeMapStore(Client(entities.Object));

        Assert.Null(await store.GetAsync("llama-prod", CancellationToken.None));
    }

    [Fact]
    public async Task An_unknown_operation_is_refused_and_leaves_the_map()
    {
        var state = new JsonEntityState();
        await new ShapeMapEntity().RunAsync(new Operation(ShapeMapEntity.SaveOperation, state, Map()));

        await Assert.ThrowsAnyAsync<Exception>(async () => await new ShapeMapEntity().RunAsync(new Operation("Forget", state, null)));

        Assert.NotNull(state.GetState<ShapeMapState>()!.Map);
    }

    private static DurableTaskClient Client(DurableEntityClient entities)
    {
        var client = new Mock<DurableTaskClient>(MockBehavior.Loose, "test") { CallBase = true };
        client.SetupGet(c => c.Entities).Returns(entities);
        return client.Object;
    }

    /// <summary>Entity state as the task hub keeps it: JSON text between operations, never the live object.</summary>
    private sealed class JsonEntityState(string? json = null) : TaskEntityState
    {
        private string? _json = json;

        public override bool HasState => _json is not null;

        public override object? GetState(Type type) => _json is null ? null : JsonSerializer.Deserialize(_json, type);

        public override void SetState(object? state) => _json = state is null ? null : JsonSerializer.Serialize(state, state.GetType());
    }

    /// <summary>One operation as the dispatcher hands it to the entity: its name, the entity's state and the JSON input.</summary>
    private sealed class Operation(string name, TaskEntityState state, object? input) : TaskEntityOperation
    {
        private readonly string? _input = input is null ? null : JsonSerializer.Serialize(input, input.GetType());

        public override string Name => name;

        public override TaskEntityContext Context { get; } = new QuietContext(new EntityInstanceId(ShapeMapEntity.EntityName, "llama-prod"));

        public override TaskEntityState State => state;

        public override bool HasInput => _input is not null;

        public override object? GetInput(Type inputType) => _input is null ? null : JsonSerializer.Deserialize(_input, inputType);
    }

    /// <summary>The entity's context: its id; the shape-map entity never signals another entity or starts an orchestration.</summary>
    private sealed class QuietContext(EntityInstanceId id) : TaskEntityContext
    {
        public override EntityInstanceId Id => id;

        public override void SignalEntity(EntityInstanceId id, string operationName, object? input = null, SignalEntityOptions? options = null)
            => throw new NotSupportedException("the shape-map entity signals nothing");

        public override string ScheduleNewOrchestration(Microsoft.DurableTask.TaskName name, object? input = null, Microsoft.DurableTask.StartOrchestrationOptions? options = null)
            => throw new NotSupportedException("the shape-map entity starts nothing");
    }
}
