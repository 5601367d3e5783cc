namespace Warmup.Core.Planning;

/// <summary>
/// What a caller asks for: a preset name (full, light, seed) or explicit steps. Resolved into a
/// <see cref="WarmupPlan"/> once the model's context window is known.
/// </summary>
public sealed record PlanSpec(string Preset = PlanPresets.Full, IReadOnlyList<PlanStep>? Steps = null)
{
    public static PlanSpec FromPreset(string preset) => new(preset);

    public static PlanSpec FromSteps(string name, IReadOnlyList<PlanStep> steps) => new(name, steps);
}
