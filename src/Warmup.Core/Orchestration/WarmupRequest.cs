using Warmup.Core.Analysis;
using Warmup.Core.Planning;

namespace Warmup.Core.Orchestration;

/// <summary>Input of the warm-up orchestration: which configured target, why, with what plan.</summary>
/// <param name="Threshold">Largest first-user-like / steady TTFT ratio still called warm.</param>
/// <param name="TraceParent">W3C traceparent of the trigger (WarmupSpans.CurrentTraceParent()), so step spans join its trace.</param>
public sealed record WarmupRequest(
    string Target,
    string Reason,
    PlanSpec Plan,
    string CorrelationId,
    double Threshold = Verdict.DefaultThreshold,
    string? TraceParent = null);

public static class WarmupReasons
{
    public const string Deployment = "deployment";
    public const string Idle = "idle";
    public const string Manual = "manual";
}
