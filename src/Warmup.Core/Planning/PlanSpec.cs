namespace Warmup.Core.Planning;

/// <summary>
/// What a caller asks for: a preset name (adaptive, full, light, seed) or explicit steps. Resolved into a
/// <see cref="WarmupPlan"/> once the model's context window is known.
/// </summary>
/// <param name="Preset">Preset name, or the plan's name when <paramref name="Steps"/> are given.</param>
/// <param name="Steps">Explicit steps (a plan file); null to use the preset.</param>
/// <remarks>
/// The server's compiled shapes, which the full preset covers, are properties of the server, not of a request: they
/// are set per target (<see cref="Targets.WarmupTarget.PromptBuckets"/>, <see cref="Targets.WarmupTarget.BatchSizes"/>).
/// </remarks>
public sealed record PlanSpec(
    string Preset = PlanPresets.Default,
    IReadOnlyList<PlanStep>? Steps = null)
{
    /// <summary>Adaptive preset only: most rounds of warm-up plus verification (default <see cref="Adaptive.AdaptiveBudget.DefaultMaxRounds"/>).</summary>
    public int? MaxRounds { get; init; }

    /// <summary>Adaptive preset only: wall-clock budget of the loop (default <see cref="Adaptive.AdaptiveBudget.DefaultMaxDuration"/>).</summary>
    public TimeSpan? MaxDuration { get; init; }

    public static PlanSpec FromPreset(string preset) => new(preset);

    public static PlanSpec FromSteps(string name, IReadOnlyList<PlanStep> steps) => new(name, steps);
}
