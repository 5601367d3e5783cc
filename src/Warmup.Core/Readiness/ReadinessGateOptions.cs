namespace Warmup.Core.Readiness;

/// <summary>Polling shape of the readiness gate. The deadline itself comes from the target (TargetLimits.ReadyDeadline).</summary>
public sealed record ReadinessGateOptions
{
    public static ReadinessGateOptions Default { get; } = new();

    /// <summary>First pause between polls that got an answer; doubles (with jitter) up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Cap of the pause between polls that got an answer (503, "loading") or timed out: about one poll a second, so a
    /// loading server is not hammered and is still seen within a second of becoming ready.
    /// </summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Pause after a refused connection (nothing listens yet). A refusal costs the server nothing, so polls are frequent:
    /// the gate opens within about this long of the server starting to answer (bench: readiness). Null: refusals back off
    /// like other answers (the behaviour before, kept for the benchmark's comparison).
    /// </summary>
    public TimeSpan? RefusedPollInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Time one poll may take. A few seconds: a loading server either refuses at once or answers 503 at once;
    /// SGLang's /health runs a 1-token generation, which is quick once warm.
    /// </summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Time the one context-window query after the gate opens may take.</summary>
    public TimeSpan MaxContextTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
