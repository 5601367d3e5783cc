using Warmup.Core.Planning;
using Warmup.Core.Targets;

namespace Warmup.Core.Adaptive;

/// <summary>
/// What ends the adaptive loop when warmth does not: the target's token budget (<see cref="TargetLimits.TokensPerRun"/>) for the
/// whole loop (every round's plan and verification), a wall-clock budget and a round limit. Defaults (documented in
/// docs/adaptive.md): <see cref="DefaultMaxRounds"/> rounds, <see cref="DefaultMaxDuration"/>.
/// </summary>
public sealed record AdaptiveBudget(long MaxTokens, int MaxRounds, TimeSpan MaxDuration)
{
    /// <summary>Enough for a coarse ladder, two refinements and a confirmation; a known target needs one.</summary>
    public const int DefaultMaxRounds = 5;

    /// <summary>Well inside a Functions host's day, and long enough for five rounds on a slow long-context server.</summary>
    public static readonly TimeSpan DefaultMaxDuration = TimeSpan.FromMinutes(20);

    public static AdaptiveBudget For(PlanSpec spec, WarmupTarget target, int? maxContext)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(target);
        return new AdaptiveBudget(
            target.Limits.TokensPerRun(maxContext),
            spec.MaxRounds is > 0 and var rounds ? rounds : DefaultMaxRounds,
            DurationFor(spec));
    }

    /// <summary>The wall-clock budget alone (the orchestrator checks it; it needs no target).</summary>
    public static TimeSpan DurationFor(PlanSpec spec)
        => spec?.MaxDuration is { } duration && duration > TimeSpan.Zero ? duration : DefaultMaxDuration;
}
