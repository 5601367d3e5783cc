using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Reporting;

namespace Warmup.Functions.Orchestration;

/// <summary>
/// Idle escalation, inside the target's own orchestration instance: an idle re-warm runs the light plan, and when that
/// run's verdict is "not warm" the same instance runs the default (adaptive) plan right away. Keeping it in the instance keeps the
/// singleton rule (one warmup-{target}), makes DELETE and GET cover both runs, and needs no follow-up trigger.
/// The output is the final run's report. Deterministic: it only awaits orchestration work.
/// </summary>
public static class WarmupEscalation
{
    public static async Task<WarmupReport> RunAsync(
        TaskOrchestrationContext context,
        WarmupRequest request,
        Func<TaskOrchestrationContext, WarmupRequest, Task<WarmupReport>> runOnce)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(request);
        WarmupReport report = await runOnce(context, request);
        if (!ShouldEscalate(request, report))
            return report;

        ILogger logger = context.CreateReplaySafeLogger(typeof(WarmupEscalation).FullName!);
        logger.LogWarning("Idle light warm-up of {Target} ended {Outcome}; escalating to the {Plan} plan", request.Target, report.Outcome, PlanPresets.Default);
        return await runOnce(context, request with { Plan = PlanSpec.FromPreset(PlanPresets.Default) });
    }

    /// <summary>Only an idle run of the light preset escalates, and only when it finished with a not-warm verdict.</summary>
    public static bool ShouldEscalate(WarmupRequest request, WarmupReport report) =>
        request.Reason == WarmupReasons.Idle &&
        request.Plan.Steps is null &&
        string.Equals(request.Plan.Preset, PlanPresets.Light, StringComparison.Ordinal) &&
        report.Outcome == RunOutcomes.NotWarm;
}
