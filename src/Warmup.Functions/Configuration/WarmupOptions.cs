using Microsoft.Extensions.Configuration;

namespace Warmup.Functions.Configuration;

/// <summary>Trigger policy knobs, read once from app settings with defaults.</summary>
public sealed record WarmupOptions
{
    public const string DefaultIdleSchedule = "0 0 * * * *";

    /// <summary>Another deployment event this soon after a running warm-up started belongs to the same deployment.</summary>
    public TimeSpan DeploymentDebounce { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A warm-up that completed this recently leaves the target alone on the idle timer.</summary>
    public TimeSpan IdleWindow { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How long a restart waits for the superseded warm-up to end after its cancel event (and again after a terminate,
    /// when it did not) before giving up (the event is then retried).
    /// </summary>
    public TimeSpan TerminationWait { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Reads the settings; a bad value falls back to the default and is reported in <paramref name="problems"/>.</summary>
    public static WarmupOptions FromConfiguration(IConfiguration configuration, ICollection<string> problems)
    {
        var options = new WarmupOptions();
        if (ReadPositive(configuration, AppSettingNames.DeploymentDebounceSeconds, 0, 3600, problems) is { } debounce)
        {
            options = options with { DeploymentDebounce = TimeSpan.FromSeconds(debounce) };
        }

        if (ReadPositive(configuration, AppSettingNames.IdleWindowMinutes, 0, 7 * 24 * 60, problems) is { } window)
        {
            options = options with { IdleWindow = TimeSpan.FromMinutes(window) };
        }

        return options;
    }

    private static int? ReadPositive(IConfiguration configuration, string name, int min, int max, ICollection<string> problems)
    {
        var raw = configuration[name];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        if (int.TryParse(raw, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        problems.Add($"app setting {name} '{raw}' must be a whole number between {min} and {max}; using the default");
        return null;
    }
}
