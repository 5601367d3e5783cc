using Warmup.Core.Planning;
using Warmup.Core.Reporting;

namespace Warmup.Core.Orchestration;

/// <summary>
/// Idle escalation: an idle re-warm runs the light plan, and when that run's verdict is "not warm" the target's
/// orchestration (<see cref="TargetWarmupOrchestrator"/>) runs a second run right away with a stronger plan. Each is its
/// own run (own run id, report and WarmupRunCompleted); keeping both under the target's orchestration keeps the
/// singleton rule (one warmup-{target}) and makes DELETE and GET cover both.
/// </summary>
public static class WarmupEscalation
{
    /// <summary>The plan an escalated run uses: the one place to change it.</summary>
    public const string EscalationPreset = PlanPresets.Default;

    /// <summary>Only an idle run of the light preset escalates, and only when it finished with a not-warm verdict.</summary>
    public static bool ShouldEscalate(WarmupRequest request, WarmupReport report) =>
        request.Reason == WarmupReasons.Idle &&
        request.Plan.Steps is null &&
        string.Equals(request.Plan.Preset, PlanPresets.Light, StringComparison.Ordinal) &&
        report.Outcome == RunOutcomes.NotWarm;

    /// <summary>The escalated run's request: the same trigger (reason, correlation, trace), the stronger plan.</summary>
    public static WarmupRequest Escalate(WarmupRequest request) => request with { Plan = PlanSpec.FromPreset(EscalationPreset), RunId = null };
}
