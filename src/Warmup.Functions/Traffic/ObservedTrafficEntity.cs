using Microsoft.DurableTask.Entities;
using Warmup.Core.Traffic;

namespace Warmup.Functions.Traffic;

/// <summary>
/// Durable entity (one per target, key = target name) holding what users sent the target (<see cref="TrafficRecord"/>),
/// in the task hub like <see cref="ShapeMaps.ShapeMapEntity"/>. Written by the idle timer at each check, read by the
/// adaptive loop's PlanRound activity so the plan covers that traffic first.
/// </summary>
public sealed class ObservedTrafficEntity : TaskEntity<TrafficRecord>
{
    /// <summary>Entity (and function) name. Differs from the class name on purpose (DurableTask analyzer AD0001).</summary>
    public const string EntityName = "ObservedTraffic";

    public const string RecordOperation = nameof(Record);

    public void Record(TrafficRecord record) => State = record;

    protected override TrafficRecord InitializeState(TaskEntityOperation entityOperation) => new();
}
