using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Reporting;
using Warmup.Functions.Orchestration;
using Warmup.Functions.Tests.Support;

namespace Warmup.Functions.Tests.Orchestration;

/// <summary>
/// Escalation on the in-process Durable engine: a stand-in run (one activity per run, whose outcome depends on the plan)
/// takes the place of the engine's orchestrator, so the test controls the verdicts and sees every run in history.
/// </summary>
public sealed class WarmupEscalationTests
{
    private const string Orchestration = "EscalationUnderTest";
    private const string RunActivity = "StandInRun";

    private static async Task<(WarmupReport Report, List<string> Plans)> RunAsync(WarmupRequest request, string lightOutcome)
    {
        var plans = new List<string>();
        await using var host = await DurableTaskTestHost.StartAsync(registry =>
        {
            // DURABLE2002 misreads AddActivityFunc<WarmupRequest, WarmupReport> below (it takes the input type for the output).
#pragma warning disable DURABLE2002
            registry.AddOrchestratorFunc<WarmupRequest, WarmupReport>(Orchestration, (context, input) =>
                WarmupEscalation.RunAsync(context, input, static (ctx, r) => ctx.CallActivityAsync<WarmupReport>(RunActivity, r)));
#pragma warning restore DURABLE2002
            registry.AddActivityFunc<WarmupRequest, WarmupReport>(RunActivity, (_, r) =>
            {
                lock (plans)
                    plans.Add(r.Plan.Preset);
                string outcome = r.Plan.Preset == PlanPresets.Light ? lightOutcome : RunOutcomes.Warm;
                return Task.FromResult(Reports.Report(r.Target, r.Plan.Preset, outcome));
            });
        });

        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(Orchestration, request);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var done = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        return (done.ReadOutputAs<WarmupReport>()!, plans);
    }

    private static WarmupRequest Idle(string preset) => new("llama-prod", WarmupReasons.Idle, PlanSpec.FromPreset(preset), "c1");

    [Fact]
    public async Task Idle_light_run_that_is_not_warm_escalates_to_the_default_plan()
    {
        var (report, plans) = await RunAsync(Idle(PlanPresets.Light), RunOutcomes.NotWarm);

        Assert.Equal([PlanPresets.Light, PlanPresets.Default], plans);
        Assert.Equal((PlanPresets.Default, RunOutcomes.Warm), (report.Plan, report.Outcome));
    }

    [Fact]
    public async Task Idle_light_run_that_is_warm_stops_there()
    {
        var (report, plans) = await RunAsync(Idle(PlanPresets.Light), RunOutcomes.Warm);

        Assert.Equal([PlanPresets.Light], plans);
        Assert.Equal(PlanPresets.Light, report.Plan);
    }

    [Theory]
    [InlineData(RunOutcomes.NeverReady)]
    [InlineData(RunOutcomes.Failed)]
    public void Runs_that_never_measured_do_not_escalate(string outcome) =>
        Assert.False(WarmupEscalation.ShouldEscalate(Idle(PlanPresets.Light), Reports.Report("t", "light", outcome)));

    [Fact]
    public void Manual_and_deployment_runs_never_escalate()
    {
        var notWarm = Reports.Report("t", "light", RunOutcomes.NotWarm);

        Assert.False(WarmupEscalation.ShouldEscalate(Idle(PlanPresets.Light) with { Reason = WarmupReasons.Manual }, notWarm));
        Assert.False(WarmupEscalation.ShouldEscalate(Idle(PlanPresets.Light) with { Reason = WarmupReasons.Deployment }, notWarm));
        Assert.False(WarmupEscalation.ShouldEscalate(Idle(PlanPresets.Full), notWarm));
        Assert.True(WarmupEscalation.ShouldEscalate(Idle(PlanPresets.Light), notWarm));
    }
}
