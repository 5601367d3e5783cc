using Warmup.Core.Adaptive;
using Warmup.Core.Analysis;
using Warmup.Core.Readiness;

namespace Warmup.Core.Reporting;

/// <summary>
/// One JSON document per run. The schema is stable: fields are only ever added. Documented field by field in
/// docs/report-schema.md; serialized with <see cref="ReportJson"/>.
/// </summary>
public sealed record WarmupReport
{
    public const string CurrentSchema = "warmup.report/v1";

    public string Schema { get; init; } = CurrentSchema;

    /// <summary>Durable instance id (warmup-{target}) or CLI run id.</summary>
    public required string RunId { get; init; }

    public required string CorrelationId { get; init; }

    public required string Target { get; init; }

    public required string Dialect { get; init; }

    public required string Model { get; init; }

    /// <summary>deployment, idle or manual.</summary>
    public required string Reason { get; init; }

    public required string Plan { get; init; }

    /// <summary>What plan resolution changed and why (clipped concurrency, a step shortened to fit the token budget).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset FinishedAt { get; init; }

    public double DurationMs { get; init; }

    /// <summary>warm, not-warm, never-ready or failed. See <see cref="RunOutcomes"/>.</summary>
    public required string Outcome { get; init; }

    public required ReadinessResult Readiness { get; init; }

    public IReadOnlyList<StepResult> Steps { get; init; } = [];

    /// <summary>First-user-like probes after the plan; null when the run never got that far.</summary>
    public StepResult? FirstUserLike { get; init; }

    /// <summary>Steady-state baseline probes; null when the run never got that far.</summary>
    public StepResult? Steady { get; init; }

    public Verdict? Verdict { get; init; }

    /// <summary>The adaptive loop's rounds, cold shapes and what ended it; null for the fixed presets and plan files.</summary>
    public AdaptiveReport? Adaptive { get; init; }

    public required RunTotals Totals { get; init; }

    /// <summary>W3C traceparent of the trigger that started the run, so the run's telemetry joins its trace.</summary>
    public string? TraceParent { get; init; }

    /// <summary>Why a run failed or was cut short, when it was.</summary>
    public string? Error { get; init; }
}

public sealed record RunTotals(int Requests, int Failed, long PromptTokens, long OutputTokens, IReadOnlyDictionary<string, int> ErrorsByOutcome);

public static class RunOutcomes
{
    public const string Warm = "warm";
    public const string NotWarm = "not-warm";
    public const string NeverReady = "never-ready";
    public const string Failed = "failed";
}
