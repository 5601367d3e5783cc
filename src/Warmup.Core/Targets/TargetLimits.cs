namespace Warmup.Core.Targets;

/// <summary>Per-target guard rails; plans are clipped to these.</summary>
public sealed record TargetLimits
{
    public int MaxConcurrency { get; init; } = 32;

    /// <summary>Upper bound of prompt plus output tokens one run may spend.</summary>
    public long MaxTokensPerRun { get; init; } = 400_000;

    /// <summary>How long the readiness gate waits for the server to come up.</summary>
    public TimeSpan ReadyDeadline { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Per-request timeout (headers plus whole stream).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(2);
}
