using Warmup.Simulator;

namespace Warmup.Cli.Commands;

/// <summary>Turns --profile / --faults / --time-scale into simulator settings, with usage errors for bad values.</summary>
internal static class SimulatorProfiles
{
    public static SimulatorProfile Resolve(string nameOrPath, double? timeScale)
    {
        SimulatorProfile profile;
        try
        {
            profile = File.Exists(nameOrPath) ? SimulatorProfile.Load(nameOrPath) : SimulatorProfile.Builtin(nameOrPath);
        }
        catch (Exception e) when (e is SimulatorProfileException or ArgumentException or InvalidDataException or IOException or System.Text.Json.JsonException)
        {
            throw new UsageException($"--profile '{nameOrPath}': {e.Message}");
        }

        if (timeScale is { } scale)
        {
            if (!(scale > 0 && scale <= 100))
            {
                throw new UsageException($"--time-scale must be above 0 and at most 100, got {scale}");
            }

            profile = profile with { TimeScale = scale };
        }

        return profile;
    }

    public static FaultPlan ParseFaults(string? spec)
    {
        if (string.IsNullOrWhiteSpace(spec))
        {
            return FaultPlan.None;
        }

        try
        {
            return FaultPlan.Parse(spec);
        }
        catch (FormatException e)
        {
            throw new UsageException($"--faults '{spec}': {e.Message}");
        }
    }
}
