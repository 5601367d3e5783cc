using Warmup.Core.Planning;
using Warmup.Core.Targets;

namespace Warmup.Cli.Commands;

/// <summary>
/// --plan accepts a preset name or the path of a JSON plan file: the same preset list and plan parser as the HTTP API
/// (<see cref="PlanPresets.Find"/>, <see cref="PlanFile"/>); <see cref="CheckAgainst"/> applies the same validator.
/// </summary>
internal static class PlanArgument
{
    public static PlanSpec Parse(string value)
    {
        if (PlanPresets.Find(value) is { } preset)
        {
            return PlanSpec.FromPreset(preset);
        }

        if (!File.Exists(value))
        {
            throw new UsageException($"--plan '{value}' is neither a preset ({string.Join(", ", PlanPresets.Names)}) nor an existing plan file");
        }

        try
        {
            return PlanFile.Load(value);
        }
        catch (Exception e) when (e is PlanValidationException or IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"plan file '{value}': {e.Message}");
        }
    }

    /// <summary>
    /// Checks a plan file's steps against the target before anything starts (adapters, token budget; steps above the
    /// concurrency limit are clipped with a note, as everywhere). The context window is checked again once known.
    /// </summary>
    public static void CheckAgainst(PlanSpec plan, WarmupTarget target)
    {
        if (plan.Steps is null)
        {
            return;
        }

        var check = PlanValidator.Check(new WarmupPlan(plan.Preset, plan.Steps), target, maxContext: null);
        if (!check.IsValid)
        {
            throw new UsageException($"plan '{plan.Preset}' cannot run against target '{target.Name}': {string.Join("; ", check.Problems)}");
        }
    }
}
