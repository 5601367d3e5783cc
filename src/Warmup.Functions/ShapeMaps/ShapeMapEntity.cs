using Microsoft.DurableTask.Entities;
using Warmup.Core.ShapeMaps;

namespace Warmup.Functions.ShapeMaps;

/// <summary>
/// Durable entity (one per target, key = target name) holding the target's learned <see cref="ShapeMap"/>, in the task
/// hub like <see cref="Idle.IdleTrackerEntity"/>, so it needs no storage of its own. Written by the adaptive loop's
/// SaveShapeMap activity, read by its PlanRound activity.
/// </summary>
public sealed class ShapeMapEntity : TaskEntity<ShapeMapState>
{
    /// <summary>Entity (and function) name. Differs from the class name on purpose (DurableTask analyzer AD0001).</summary>
    public const string EntityName = "ShapeMap";

    public const string SaveOperation = nameof(Save);

    public const string ClearOperation = nameof(Clear);

    public void Save(ShapeMap map) => State = new ShapeMapState(map);

    public void Clear() => State = new ShapeMapState(null);

    protected override ShapeMapState InitializeState(TaskEntityOperation entityOperation) => new(null);
}

/// <summary>The entity's state: the map, or none (never learned, or discarded after a model change).</summary>
public sealed record ShapeMapState(ShapeMap? Map);
