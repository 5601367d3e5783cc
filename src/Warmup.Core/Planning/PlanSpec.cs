namespace Warmup.Core.Planning;

/// <summary>
/// What a caller asks for: a preset name (adaptive, full, light, seed) or explicit steps. Resolved into a
/// <see cref="WarmupPlan"/> once the model's context window is known.
/// </summary>
/// <param name="Preset">Preset name, or the plan's name when <paramref name="Steps"/> are given.</param>
/// <param name="Steps">Explicit steps (a plan file); null to use the preset.</param>
/// <param name="PromptBuckets">
/// Upper edges, in tokens, of the prefill shapes the server compiles (full preset only). Null means powers of
/// two from 32 up to the context window. Set it per target when the server compiles finer shapes (e.g. every
/// 512 tokens up to 8192).
/// </param>
/// <param name="BatchSizes">
/// Decode batch sizes the server captures graphs for (full preset only). Null means vLLM's defaults
/// 1, 2, 4, 8, 16, 24, 32. Set it per target when the server captures other sizes (e.g. every 8 up to 64).
/// </param>
public sealed record PlanSpec(
    string Preset = PlanPresets.Default,
    IReadOnlyList<PlanStep>? Steps = null,
    IReadOnlyList<int>? PromptBuckets = null,
    IReadOnlyList<int>? BatchSizes = null)
{
    /// <summary>Adaptive preset only: most rounds of warm-up plus verification (default <see cref="Adaptive.AdaptiveBudget.DefaultMaxRounds"/>).</summary>
    public int? MaxRounds { get; init; }

    /// <summary>Adaptive preset only: wall-clock budget of the loop (default <see cref="Adaptive.AdaptiveBudget.DefaultMaxDuration"/>).</summary>
    public TimeSpan? MaxDuration { get; init; }

    public static PlanSpec FromPreset(string preset) => new(preset);

    public static PlanSpec FromSteps(string name, IReadOnlyList<PlanStep> steps) => new(name, steps);
}
