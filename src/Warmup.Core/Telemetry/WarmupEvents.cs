using System.Text.Json;
using Microsoft.Extensions.Logging;
using Warmup.Core.Analysis;
using Warmup.Core.Reporting;

namespace Warmup.Core.Telemetry;

/// <summary>
/// The product's custom events, written as structured log records on the "Warmup" category. With the Azure Monitor
/// exporter each becomes a customEvents row (name = event name, fields = customDimensions, values as strings);
/// with OTLP a log record carrying the same typed attributes. Prompt texts and secrets are never fields.
/// </summary>
public sealed class WarmupEvents(ILogger logger)
{
    public const string CategoryName = "Warmup";

    public const string RunCompletedName = "WarmupRunCompleted";
    public const string StepCompletedName = "WarmupStepCompleted";
    public const string SkippedName = "WarmupSkipped";
    public const string DeploymentEventIgnoredName = "DeploymentEventIgnored";

    private static readonly EventId RunCompletedId = new(7001, RunCompletedName);
    private static readonly EventId StepCompletedId = new(7002, StepCompletedName);
    private static readonly EventId SkippedId = new(7003, SkippedName);
    private static readonly EventId DeploymentEventIgnoredId = new(7004, DeploymentEventIgnoredName);

    public WarmupEvents(ILoggerFactory loggerFactory)
        : this(loggerFactory.CreateLogger(CategoryName))
    {
    }

    /// <summary>One per run, whatever its outcome (warm, not-warm, never-ready, failed).</summary>
    public void RunCompleted(WarmupReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var verdict = report.Verdict;
        var state = new CustomEventState(RunCompletedName)
            .Add("target", report.Target)
            .Add("deployment", report.Deployment)
            .Add("runId", report.RunId)
            .Add("instanceId", report.RunId)
            .Add("correlationId", report.CorrelationId)
            .Add("reason", report.Reason)
            .Add("plan", report.Plan)
            .Add("dialect", report.Dialect)
            .Add("model", report.Model)
            .Add("verdict", report.Outcome)
            .Add("isWarm", verdict?.IsWarm ?? false)
            .Add("ratio", verdict?.Ratio)
            .Add("threshold", verdict?.Threshold)
            .Add("firstTtftMs", verdict?.FirstTtftMs)
            .Add("steadyTtftMs", verdict?.SteadyTtftMs)
            .Add("ready", report.Readiness.Ready)
            .Add("timeToReadyMs", report.Readiness.TimeToReadyMs)
            .Add("readinessAttempts", report.Readiness.Attempts)
            .Add("durationMs", report.DurationMs)
            .Add("steps", report.Steps.Count)
            .Add("requests", report.Totals.Requests)
            .Add("errors", report.Totals.Failed)
            .Add("promptTokens", report.Totals.PromptTokens)
            .Add("generatedTokens", report.Totals.OutputTokens)
            .Add("errorsByOutcome", ToJson(report.Totals.ErrorsByOutcome))
            .Add("outages", report.Outages.Count)
            .Add("restarts", report.Outages.Count(o => o.Restarted == true))
            .Add("error", report.Error)
            .Add(WarmupTagNames.SyntheticSource, WarmupTagNames.SyntheticSourceValue);
        Write(report.Outcome == RunOutcomes.Warm ? LogLevel.Information : LogLevel.Warning, RunCompletedId, state);
    }

    /// <summary>One per step (plan steps, and the verify phase's first-user-like and steady probes).</summary>
    /// <param name="stepIndex">Position in the plan, or null for verify-phase measurements.</param>
    /// <param name="stepKind">"plan", "first-user-like" or "steady".</param>
    public void StepCompleted(string target, string runId, StepResult step, int? stepIndex = null, string stepKind = StepKinds.Plan)
    {
        ArgumentNullException.ThrowIfNull(step);
        var state = new CustomEventState(StepCompletedName)
            .Add("target", target)
            .Add("runId", runId)
            .Add("phase", step.Phase)
            .Add("stepKind", stepKind)
            .Add("stepIndex", stepIndex)
            .Add("promptTokens", step.Step.PromptTokens)
            .Add("promptBucket", WarmupMetrics.PromptBucket(step.Step.PromptTokens))
            .Add("maxOutputTokens", step.Step.MaxOutputTokens)
            .Add("concurrency", step.Step.Concurrency)
            .Add("adapter", step.Step.Adapter)
            .Add("requests", step.Requests)
            .Add("succeeded", step.Succeeded)
            .Add("errors", step.Requests - step.Succeeded)
            .Add("errorsByOutcome", ToJson(step.ErrorsByOutcome))
            .Add("measuredPromptTokens", step.PromptTokens)
            .Add("generatedTokens", step.OutputTokens)
            .Add("wallMs", step.WallMs);
        AddPercentiles(state, "ttft", step.TtftMs);
        AddPercentiles(state, "itl", step.InterTokenMs);
        AddPercentiles(state, "e2e", step.E2eMs);
        state.Add(WarmupTagNames.SyntheticSource, WarmupTagNames.SyntheticSourceValue);
        Write(LogLevel.Information, StepCompletedId, state);
    }

    /// <summary>The idle check (or another trigger) decided not to warm a target.</summary>
    /// <param name="reason">Short machine-friendly reason, e.g. "recently-warm", "disabled", "already-running".</param>
    /// <param name="trigger">What asked: "idle", "deployment", "manual".</param>
    public void Skipped(string target, string reason, string trigger) =>
        Write(LogLevel.Information, SkippedId, new CustomEventState(SkippedName)
            .Add("target", target)
            .Add("reason", reason)
            .Add("trigger", trigger));

    /// <summary>A deployment event arrived that matched no configured target (or was not a deployment success).</summary>
    public void DeploymentEventIgnored(string eventId, string eventType, string subject, string reason) =>
        Write(LogLevel.Information, DeploymentEventIgnoredId, new CustomEventState(DeploymentEventIgnoredName)
            .Add("eventId", eventId)
            .Add("eventType", eventType)
            .Add("subject", subject)
            .Add("reason", reason));

    private static void AddPercentiles(CustomEventState state, string series, LatencySummary summary) => state
        .Add($"{series}P50Ms", summary.P50)
        .Add($"{series}P90Ms", summary.P90)
        .Add($"{series}P99Ms", summary.P99)
        .Add($"{series}MaxMs", summary.Max)
        .Add($"{series}Count", summary.Count);

    // A dictionary is not a scalar; as a JSON string it survives every exporter and parses with parse_json in KQL.
    private static string ToJson(IReadOnlyDictionary<string, int> counts) =>
        JsonSerializer.Serialize(counts, WarmupTelemetryJson.Default.IReadOnlyDictionaryStringInt32);

    private void Write(LogLevel level, EventId id, CustomEventState state) =>
        logger.Log(level, id, state, null, CustomEventState.Format);
}

public static class StepKinds
{
    public const string Plan = "plan";
    public const string FirstUserLike = "first-user-like";
    public const string Steady = "steady";
}
