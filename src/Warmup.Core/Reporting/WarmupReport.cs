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

    /// <summary>The run's own id, its Durable instance id: warmup-{target}-{yyyyMMddTHHmmssZ}-{8 hex} (see RunIds).</summary>
    public required string RunId { get; init; }

    public required string CorrelationId { get; init; }

    public required string Target { get; init; }

    /// <summary>
    /// Azure ML: the deployment this run warmed (sent as azureml-model-deployment; <see cref="Target"/> is then
    /// "endpoint@deployment"). Null for every other target.
    /// </summary>
    public string? Deployment { get; init; }

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

    /// <summary>warm, not-warm, never-ready, misconfigured, failed, aborted, busy or cancelled. See <see cref="RunOutcomes"/>.</summary>
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

    /// <summary>
    /// The adaptive loop's LoRA adapters: configured, discovered from the server's model list, warmed, left out beyond
    /// the server's capacity. Null for the fixed presets and plan files (they send exactly the adapters their steps name).
    /// </summary>
    public AdapterReport? Adapters { get; init; }

    /// <summary>
    /// The adaptive loop's verifications before the last one, in order (each round's first-user-like pass, then its
    /// steady pass). They count in <see cref="Totals"/>, and Warmup takes them out of the server's prompt histogram
    /// as its own traffic (<see cref="Traffic.OwnTraffic"/>). Empty for a one-verification run.
    /// </summary>
    public IReadOnlyList<StepResult> EarlierVerifications { get; init; } = [];

    /// <summary>Times the server went away mid-run and whether it came back (the run then re-ran what it had not finished).</summary>
    public IReadOnlyList<Reliability.ServerOutage> Outages { get; init; } = [];

    public required RunTotals Totals { get; init; }

    /// <summary>
    /// What each HTTP error class in <see cref="RunTotals.ErrorsByOutcome"/> means on this server, where the dialect
    /// knows (Azure ML's 408 request_timeout_ms, 429 max_concurrent_requests_per_instance): key as there, e.g. "HttpError:408".
    /// </summary>
    public IReadOnlyDictionary<string, string> ErrorMeanings { get; init; } = new Dictionary<string, string>();

    /// <summary>W3C traceparent of the trigger that started the run, so the run's telemetry joins its trace.</summary>
    public string? TraceParent { get; init; }

    /// <summary>Why a run failed or was cut short, when it was.</summary>
    public string? Error { get; init; }
}

/// <param name="RetryAfterWaits">Requests that waited for the target's Retry-After before being sent.</param>
/// <param name="RetryAfterWaitMs">Those waits summed (ms).</param>
public sealed record RunTotals(
    int Requests,
    int Failed,
    long PromptTokens,
    long OutputTokens,
    IReadOnlyDictionary<string, int> ErrorsByOutcome,
    int RetryAfterWaits = 0,
    double RetryAfterWaitMs = 0);

public static class RunOutcomes
{
    public const string Warm = "warm";
    public const string NotWarm = "not-warm";
    public const string NeverReady = "never-ready";
    public const string Failed = "failed";

    /// <summary>
    /// The target's configuration cannot work (a model or adapter the server does not serve, a base URL or credentials
    /// the readiness route refuses for good); no warm-up traffic was sent, and <see cref="WarmupReport.Error"/> says
    /// what to fix. Not retried and not escalated: only a configuration change helps.
    /// </summary>
    public const string Misconfigured = "misconfigured";
    /// <summary>Stopped early because too many requests failed or the key was refused (see Reliability.RunCircuit).</summary>
    public const string Aborted = "aborted";

    /// <summary>Not warmed: the target stayed busy with users longer than its limits.busyMaxWait.</summary>
    public const string Busy = "busy";

    /// <summary>Stopped before its end (DELETE, a restart for a new deployment, Ctrl-C); the report holds what was measured.</summary>
    public const string Cancelled = "cancelled";
}
