using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Warmup.Cli.Hosting;
using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Reporting;
using Warmup.Functions.Tests.Support;

namespace Warmup.Functions.Tests.Orchestration;

/// <summary>
/// The target's orchestration on the in-process Durable engine, with a stand-in one-run orchestration under the real
/// run name (one activity per run, whose outcome depends on the plan), so the test controls the verdicts and sees every
/// run: run ids, escalation as a second run, and the cancel event forwarded to the current run.
/// </summary>
public sealed class TargetWarmupOrchestratorTests
{
    private const string RunActivity = "StandInRun";
    private const string SlowActivity = "StandInSlowStep";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private sealed class StandIn
    {
        public List<(string RunId, string Plan)> Runs { get; } = [];

        public string LightOutcome { get; init; } = RunOutcomes.Warm;

        /// <summary>When true, a run waits for its cancel event instead of running (a run stuck in a long step).</summary>
        public bool Hold { get; init; }

        public Task<DurableTaskTestHost> StartAsync() => FreePortTestHost.StartAsync(registry =>
        {
            registry.AddOrchestrator<TargetWarmupOrchestrator>(TaskNames.TargetWarmupOrchestration);
            // DURABLE2002 misreads the Func registrations below (it takes the input type for the output).
#pragma warning disable DURABLE2002
            registry.AddOrchestratorFunc<WarmupRequest, WarmupReport>(TaskNames.WarmupOrchestration, async (context, request) =>
            {
                var cancellation = RunCancellation.Listen(context);
                if (Hold)
                {
                    // A run stuck in a long activity: the cancel event must win the race without waiting for it.
                    try
                    {
                        await cancellation.RaceAsync(context.CallActivityAsync<string>(SlowActivity, "x"));
                    }
                    catch (RunCancelledException e)
                    {
                        return Reports.Report(request.Target, request.Plan.Preset, RunOutcomes.Cancelled) with { RunId = context.InstanceId, Error = e.Reason };
                    }
                }
                return await context.CallActivityAsync<WarmupReport>(RunActivity, request with { RunId = context.InstanceId });
            });
            registry.AddActivityFunc<string, string>(SlowActivity, async (_, x) =>
            {
                // This engine hands the run its event once this activity ends (Azure's backends at once); either way the
                // cancel event came first, so it wins the race and the step's result is never used.
                await Task.Delay(TimeSpan.FromSeconds(5));
                return x;
            });
            registry.AddActivityFunc<WarmupRequest, WarmupReport>(RunActivity, (_, r) =>
            {
                lock (Runs)
                {
                    Runs.Add((r.RunId!, r.Plan.Preset));
                }

                var outcome = r.Plan.Preset == PlanPresets.Light ? LightOutcome : RunOutcomes.Warm;
                return Task.FromResult(Reports.Report(r.Target, r.Plan.Preset, outcome) with { RunId = r.RunId! });
            });
#pragma warning restore DURABLE2002
        }, port => new DurableTaskTestHostOptions { Port = port });
    }

    private static async Task<(WarmupReport Report, TargetRunStatus Runs)> RunAsync(DurableTaskTestHost host, WarmupRequest request)
    {
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(
            TaskNames.TargetWarmupOrchestration, request, new StartOrchestrationOptions(TaskNames.InstanceIdFor(request.Target)));
        using var timeout = new CancellationTokenSource(Timeout);
        var done = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        return (done.ReadOutputAs<WarmupReport>()!, done.ReadCustomStatusAs<TargetRunStatus>()!);
    }

    private static WarmupRequest Idle(string preset) => new("llama-prod", WarmupReasons.Idle, PlanSpec.FromPreset(preset), "c1");

    [Fact]
    public async Task Each_run_is_a_sub_orchestration_whose_instance_id_is_its_run_id()
    {
        var standIn = new StandIn();
        await using var host = await standIn.StartAsync();

        var (first, firstRuns) = await RunAsync(host, Idle(PlanPresets.Light) with { Reason = WarmupReasons.Manual });
        var (second, _) = await RunAsync(host, Idle(PlanPresets.Light) with { Reason = WarmupReasons.Manual });

        Assert.Matches(@"^warmup-llama-prod-[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$", first.RunId);
        Assert.NotEqual(first.RunId, second.RunId);
        Assert.Equal([first.RunId, second.RunId], standIn.Runs.Select(r => r.RunId));
        Assert.Equal(first.RunId, firstRuns.CurrentRunId);
        Assert.Equal([first.RunId], firstRuns.RunIds);
        var run = await host.Client.GetInstanceAsync(first.RunId, getInputsAndOutputs: true);
        Assert.Equal((TaskNames.WarmupOrchestration, OrchestrationRuntimeStatus.Completed), (run!.Name, run.RuntimeStatus));
    }

    [Fact]
    public async Task A_run_id_chosen_by_the_starter_is_used_for_the_first_run()
    {
        var standIn = new StandIn();
        await using var host = await standIn.StartAsync();
        const string chosen = "warmup-llama-prod-20260301T120000Z-0badc0de";

        var (report, _) = await RunAsync(host, Idle(PlanPresets.Full) with { RunId = chosen });

        Assert.Equal(chosen, report.RunId);
    }

    [Fact]
    public async Task Idle_light_run_that_is_not_warm_escalates_to_a_second_run_with_the_escalation_plan()
    {
        var standIn = new StandIn { LightOutcome = RunOutcomes.NotWarm };
        await using var host = await standIn.StartAsync();
        const string chosen = "warmup-llama-prod-20260301T120000Z-00c0ffee";

        var (report, runs) = await RunAsync(host, Idle(PlanPresets.Light) with { RunId = chosen });

        Assert.Equal([PlanPresets.Light, WarmupEscalation.EscalationPreset], standIn.Runs.Select(r => r.Plan));
        Assert.Equal(chosen, standIn.Runs[0].RunId);
        Assert.NotEqual(chosen, standIn.Runs[1].RunId);
        Assert.StartsWith("warmup-llama-prod-", standIn.Runs[1].RunId);
        Assert.Equal((WarmupEscalation.EscalationPreset, RunOutcomes.Warm, standIn.Runs[1].RunId), (report.Plan, report.Outcome, report.RunId));
        Assert.Equal(standIn.Runs.Select(r => r.RunId), runs.RunIds);
        Assert.Equal(standIn.Runs[1].RunId, runs.CurrentRunId);
    }

    [Fact]
    public async Task Idle_light_run_that_is_warm_stops_there()
    {
        var standIn = new StandIn { LightOutcome = RunOutcomes.Warm };
        await using var host = await standIn.StartAsync();

        var (report, runs) = await RunAsync(host, Idle(PlanPresets.Light));

        Assert.Equal([PlanPresets.Light], standIn.Runs.Select(r => r.Plan));
        Assert.Equal(PlanPresets.Light, report.Plan);
        Assert.Single(runs.RunIds);
    }

    [Fact]
    public async Task A_cancel_event_on_the_target_reaches_the_current_run_whose_report_is_the_output()
    {
        var standIn = new StandIn { Hold = true };
        await using var host = await standIn.StartAsync();
        const string runId = "warmup-llama-prod-20260301T120000Z-0000ca11";
        await host.Client.ScheduleNewOrchestrationInstanceAsync(
            TaskNames.TargetWarmupOrchestration, Idle(PlanPresets.Light) with { RunId = runId }, new StartOrchestrationOptions("warmup-llama-prod"));
        using var timeout = new CancellationTokenSource(Timeout);
        await host.Client.WaitForInstanceStartAsync(runId, timeout.Token);

        await host.Client.RaiseEventAsync("warmup-llama-prod", RunCancellation.EventName, "cancelled through DELETE");
        var done = await host.Client.WaitForInstanceCompletionAsync("warmup-llama-prod", getInputsAndOutputs: true, timeout.Token);

        var report = done.ReadOutputAs<WarmupReport>()!;
        Assert.Equal((runId, RunOutcomes.Cancelled, "cancelled through DELETE"), (report.RunId, report.Outcome, report.Error));
        var run = await host.Client.GetInstanceAsync(runId, getInputsAndOutputs: false);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, run!.RuntimeStatus);
    }

    [Theory]
    [InlineData(RunOutcomes.NeverReady)]
    [InlineData(RunOutcomes.Failed)]
    [InlineData(RunOutcomes.Cancelled)]
    public void Runs_that_never_measured_or_were_cancelled_do_not_escalate(string outcome) =>
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
