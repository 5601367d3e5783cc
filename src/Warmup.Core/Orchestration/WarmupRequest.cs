using Warmup.Core.Analysis;
using Warmup.Core.Planning;

namespace Warmup.Core.Orchestration;

/// <summary>Input of the warm-up orchestration: which configured target, why, with what plan.</summary>
public sealed record WarmupRequest(
    string Target,
    string Reason,
    PlanSpec Plan,
    string CorrelationId,
    double Threshold = Verdict.DefaultThreshold);

public static class WarmupReasons
{
    public const string Deployment = "deployment";
    public const string Idle = "idle";
    public const string Manual = "manual";
}
