using Warmup.Core.Planning;

namespace Warmup.Cli.Commands;

/// <summary>--plan accepts a preset name or the path of a JSON plan file.</summary>
internal static class PlanArgument
{
    public static PlanSpec Parse(string value)
    {
        if (PlanPresets.Names.Contains(value, StringComparer.Ordinal))
        {
            return PlanSpec.FromPreset(value);
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
}
