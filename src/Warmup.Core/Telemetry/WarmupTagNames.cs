namespace Warmup.Core.Telemetry;

/// <summary>Attribute names on metrics (short, dashboard-facing) and spans (namespaced).</summary>
public static class WarmupTagNames
{
    // Metric dimensions.
    public const string Target = "target";
    public const string Phase = "phase";
    public const string PromptBucket = "prompt_bucket";
    public const string Concurrency = "concurrency";
    public const string Outcome = "outcome";

    // Span attributes.
    public const string SpanTarget = "warmup.target";

    /// <summary>Azure ML runs: the deployment warmed (the run's target is "endpoint@deployment"); absent otherwise.</summary>
    public const string SpanDeployment = "warmup.deployment";
    public const string SpanRunId = "warmup.run_id";
    public const string SpanCorrelationId = "warmup.correlation_id";
    public const string SpanReason = "warmup.reason";
    public const string SpanPlan = "warmup.plan";
    public const string SpanOutcome = "warmup.outcome";
    public const string SpanPhase = "warmup.phase";
    public const string SpanStepIndex = "warmup.step.index";
    public const string SpanPromptTokens = "warmup.prompt_tokens";
    public const string SpanPromptBucket = "warmup.prompt_bucket";
    public const string SpanMaxOutputTokens = "warmup.max_output_tokens";
    public const string SpanConcurrency = "warmup.concurrency";
    public const string SpanAdapter = "warmup.adapter";
    public const string SpanRequests = "warmup.requests";
    public const string SpanErrors = "warmup.errors";
    public const string SpanTokensGenerated = "warmup.tokens.generated";
    public const string SpanTtftP50 = "warmup.ttft.p50_ms";
    public const string SpanE2eP50 = "warmup.e2e.p50_ms";
    public const string SpanRatio = "warmup.verdict.ratio";
    public const string SpanThreshold = "warmup.verdict.threshold";
    public const string SpanIsWarm = "warmup.verdict.is_warm";
    public const string SpanFirstTtft = "warmup.verdict.first_ttft_ms";
    public const string SpanSteadyTtft = "warmup.verdict.steady_ttft_ms";
    public const string SpanTimeToReady = "warmup.time_to_ready_ms";
    public const string SpanDialect = "warmup.dialect";
    public const string SpanModel = "warmup.model";
    public const string SpanTrigger = "warmup.trigger";

    /// <summary>
    /// Azure Monitor maps this attribute to <c>operation_SyntheticSource</c>: warm-up spans and events are
    /// synthetic traffic, so the portal's default views and <c>isempty(operation_SyntheticSource)</c> filters skip them.
    /// </summary>
    public const string SyntheticSource = "microsoft.synthetic_source";

    public const string SyntheticSourceValue = "warmup";
}
