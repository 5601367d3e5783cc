namespace Warmup.Core.Readiness;

/// <summary>Polling shape of the readiness gate. The deadline itself comes from the target (TargetLimits.ReadyDeadline).</summary>
public sealed record ReadinessGateOptions
{
    public static ReadinessGateOptions Default { get; } = new();

    /// <summary>First pause between polls; doubles (with jitter) up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Cap of the pause between polls, so a server that comes up late is still seen within seconds.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Time one poll may take. A few seconds: a loading server either refuses at once or answers 503 at once;
    /// SGLang's /health runs a 1-token generation, which is quick once warm.
    /// </summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Time the one context-window query after the gate opens may take.</summary>
    public TimeSpan MaxContextTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
