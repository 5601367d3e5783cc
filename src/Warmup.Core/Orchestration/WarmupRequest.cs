using Warmup.Core.Analysis;
using Warmup.Core.Planning;

namespace Warmup.Core.Orchestration;

/// <summary>Input of the warm-up orchestration: which configured target, why, with what plan.</summary>
/// <param name="Threshold">Largest first-user-like / steady TTFT ratio still called warm.</param>
/// <param name="TraceParent">W3C traceparent of the trigger (WarmupSpans.CurrentTraceParent()), so step spans join its trace.</param>
/// <param name="RunId">
/// The first run's id (<see cref="RunIds"/>) when the starter chose it, so its answer can name the run; null lets the
/// target's orchestration make one. An escalated run always gets a new one.
/// </param>
public sealed record WarmupRequest(
    string Target,
    string Reason,
    PlanSpec Plan,
    string CorrelationId,
    double Threshold = Verdict.DefaultThreshold,
    string? TraceParent = null,
    string? RunId = null);

public static class WarmupReasons
{
    public const string Deployment = "deployment";
    public const string Idle = "idle";
    public const string Manual = "manual";
}
