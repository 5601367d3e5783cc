using Microsoft.DurableTask.Entities;

namespace Warmup.Functions.Idle;

/// <summary>
/// Durable entity (one per target, key = target name) holding the last <see cref="IdleObservation"/>. It lives in the
/// task hub, so it needs no storage of its own. Only the timer writes it, one signal per check.
/// </summary>
public sealed class IdleTrackerEntity : TaskEntity<IdleObservation>
{
    /// <summary>Entity (and function) name. Differs from the class name on purpose (DurableTask analyzer AD0001).</summary>
    public const string EntityName = "IdleTracker";

    public const string RecordOperation = nameof(Record);

    public void Record(IdleObservation observation) => State = observation;

    protected override IdleObservation InitializeState(TaskEntityOperation entityOperation) => new();
}
