using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Warmup.Cli.Hosting;
using Warmup.Core.Orchestration;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;
using Warmup.Core.Telemetry;
using Warmup.Functions.Configuration;
using Warmup.Functions.Starting;
using Warmup.Functions.Tests.Support;
using Warmup.Functions.Triggers;
using Warmup.Simulator;

namespace Warmup.Functions.Tests.Orchestration;

/// <summary>
/// The Functions app end to end on the in-process Durable engine: its own [Function] shims (found by attribute, as the
/// host indexes them), its own services (AddWarmupFunctions over app settings), the real trigger classes, against the
/// simulator over loopback HTTP. "warm-sim" answers at once; "cold-sim" is bound but never listens (a server still
/// loading), so its run sits in the readiness gate until it is cancelled. (This engine hands a run its cancel event once
/// the activity it waits on has ended, here the 12 s readiness deadline; Azure's backends deliver it at once.)
/// </summary>
public sealed class FunctionsRegistrationTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private readonly CapturingLoggerProvider _logs = new();
    private SimulatorHost _warm = null!;
    private SimulatorHost _cold = null!;
    private ServiceProvider _app = null!;
    private DurableTaskTestHost _durable = null!;
    private IReadOnlyList<string> _registered = [];

    public async Task InitializeAsync()
    {
        var fast = SimulatorProfile.Default with { TimeScale = 0.02, StartupDelayMs = 0, JitterFraction = 0 };
        _warm = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = fast });
        _cold = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = fast with { TimeScale = 1, StartupDelayMs = 3_600_000 } });
        var targets = new JsonArray(Target("warm-sim", _warm), Target("cold-sim", _cold)).ToJsonString();
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [AppSettingNames.Targets] = targets }).Build();

        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug));
        services.AddSingleton<IConfiguration>(settings);   // the Functions host registers its configuration too
        services.AddWarmupFunctions(settings);
        _app = services.BuildServiceProvider();
        _durable = await FreePortTestHost.StartAsync(registry => _registered = FunctionShims.Register(registry, _app), port => new DurableTaskTestHostOptions { Port = port });
    }

    public async Task DisposeAsync()
    {
        await _durable.DisposeAsync();
        await _app.DisposeAsync();
        await _warm.DisposeAsync();
        await _cold.DisposeAsync();
    }

    private static JsonObject Target(string name, SimulatorHost simulator) => new()
    {
        ["name"] = name,
        ["baseUrl"] = simulator.BaseUrl.ToString(),
        ["model"] = simulator.Profile.Model,
        ["limits"] = new JsonObject { ["maxConcurrency"] = 4, ["readyDeadline"] = "00:00:12", ["requestTimeout"] = "00:00:30" },
    };

    private DurableTaskClient Client => _durable.Client;

    private WarmupApi Api => ActivatorUtilities.CreateInstance<WarmupApi>(_app);

    private async Task<WarmupAccepted> PostAsync(string target, string body)
    {
        var result = await Api.Start(Http.Request("POST", $"/api/warmups/{target}", body), target, Client, CancellationToken.None);
        return Assert.IsType<WarmupAccepted>(Assert.IsType<AcceptedResult>(result).Value);
    }

    private async Task<JsonNode> GetAsync(string target, string? runId = null)
    {
        var result = runId is null
            ? await Api.Get(Http.Request("GET", $"/api/warmups/{target}"), target, Client, CancellationToken.None)
            : await Api.GetRun(Http.Request("GET", $"/api/warmups/{target}/runs/{runId}"), target, runId, Client, CancellationToken.None);
        return Http.Json(Assert.IsType<OkObjectResult>(result));
    }

    private async Task<WarmupReport> WaitForTargetAsync(string target)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var done = await Client.WaitForInstanceCompletionAsync(TaskNames.InstanceIdFor(target), getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        return done.ReadOutputAs<WarmupReport>()!;
    }

    private async Task WaitUntilRunningAsync(string runId)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await Client.WaitForInstanceStartAsync(runId, timeout.Token);
    }

    private IReadOnlyList<CapturingLoggerProvider.LogRecord> RunCompleted(string runId) =>
        _logs.Events(WarmupEvents.RunCompletedName).Where(e => e.Field("runId") == runId).ToList();

    [Fact]
    public void The_shims_register_both_orchestrations_and_every_activity_under_their_task_names()
    {
        string[] expected =
        [
            TaskNames.TargetWarmupOrchestration, TaskNames.WarmupOrchestration, TaskNames.WaitUntilReady, TaskNames.ResolvePlan,
            TaskNames.RunStep, TaskNames.Verify, TaskNames.Record, TaskNames.ReadLoad, TaskNames.PlanRound, TaskNames.SaveShapeMap,
        ];
        Assert.Equal(expected.Order(), _registered.Order());
    }

    [Fact]
    public async Task Two_manual_runs_of_a_target_have_their_own_run_ids_in_the_status_api_the_report_and_telemetry()
    {
        var first = await PostAsync("warm-sim", """{"plan":"light"}""");
        var firstReport = await WaitForTargetAsync("warm-sim");
        var second = await PostAsync("warm-sim", """{"plan":"light"}""");
        var secondReport = await WaitForTargetAsync("warm-sim");

        Assert.NotEqual(first.RunId, second.RunId);
        Assert.Null(firstReport.Error);
        Assert.Equal((first.RunId, second.RunId), (firstReport.RunId, secondReport.RunId));
        // Record (the activity shim) completed the report from configuration, and every step was measured.
        Assert.Equal(("openai", SimulatorProfile.Default.Model), (secondReport.Dialect, secondReport.Model));
        Assert.True(secondReport.Readiness.Ready, $"{secondReport.Outcome}: {secondReport.Readiness.LastError} {secondReport.Error}");
        Assert.NotEmpty(secondReport.Steps);
        Assert.All(secondReport.Steps, s => Assert.Equal(s.Requests, s.Succeeded));
        Assert.NotNull(secondReport.Verdict);

        var current = await GetAsync("warm-sim");
        Assert.Equal((second.RunId, "Completed"), (current["id"]!.GetValue<string>(), current["runtimeStatus"]!.GetValue<string>()));
        Assert.Equal(second.RunId, current["result"]!["runId"]!.GetValue<string>());
        Assert.Equal(WarmupProgress.DonePhase, current["progress"]!["phase"]!.GetValue<string>());
        Assert.DoesNotContain("recording", current["progress"]!["description"]!.GetValue<string>());
        var earlier = await GetAsync("warm-sim", first.RunId);
        Assert.Equal(first.RunId, earlier["result"]!["runId"]!.GetValue<string>());

        var completed = Assert.Single(RunCompleted(first.RunId!));
        Assert.Equal((firstReport.Outcome, first.RunId), (completed.Field("verdict"), completed.Field("instanceId")));
        Assert.Single(RunCompleted(second.RunId!));
        Assert.All(_logs.Events(WarmupEvents.StepCompletedName), e => Assert.Contains(e.Field("runId"), new[] { first.RunId, second.RunId }));
    }

    [Fact]
    public async Task Delete_cancels_a_run_waiting_for_readiness_and_the_run_still_records_its_report_and_telemetry()
    {
        var started = await PostAsync("cold-sim", """{"plan":"light"}""");
        await WaitUntilRunningAsync(started.RunId!);

        var cancel = await Api.Cancel(Http.Request("DELETE", "/api/warmups/cold-sim"), "cold-sim", Client, CancellationToken.None);
        Assert.Equal(started.RunId, Assert.IsType<WarmupAccepted>(Assert.IsType<AcceptedResult>(cancel).Value).RunId);
        var report = await WaitForTargetAsync("cold-sim");

        Assert.Equal((started.RunId, RunOutcomes.Cancelled), (report.RunId, report.Outcome));
        Assert.Equal("cancelled: cancelled through DELETE /api/warmups/cold-sim", report.Error);
        Assert.Empty(report.Steps);
        var status = await GetAsync("cold-sim");
        Assert.Equal((started.RunId, "cancelled"), (status["id"]!.GetValue<string>(), status["result"]!["outcome"]!.GetValue<string>()));
        Assert.Equal("finished: cancelled", status["progress"]!["description"]!.GetValue<string>());
        var completed = Assert.Single(RunCompleted(started.RunId!));
        Assert.Equal("cancelled", completed.Field("verdict"));
    }

    [Fact]
    public async Task A_deployment_restart_cancels_the_running_run_which_records_its_report_before_the_new_run_starts()
    {
        var manual = await PostAsync("cold-sim", """{"plan":"light"}""");
        await WaitUntilRunningAsync(manual.RunId!);
        var starter = _app.GetRequiredService<WarmupStarter>();
        _app.GetRequiredService<ITargetCatalog>().TryGet("cold-sim", out var target);

        var restart = await starter.StartForDeploymentAsync(Client, target!, "evt-1", CancellationToken.None);

        Assert.Equal(StartOutcome.Restarted, restart.Outcome);
        Assert.NotEqual(manual.RunId, restart.RunId);
        var superseded = await GetAsync("cold-sim", manual.RunId);
        Assert.Equal("cancelled", superseded["result"]!["outcome"]!.GetValue<string>());
        Assert.Contains("superseded by deployment event evt-1", superseded["result"]!["error"]!.GetValue<string>());
        Assert.Equal("cancelled", Assert.Single(RunCompleted(manual.RunId!)).Field("verdict"));

        // The new run is the target's current one; cancel it too so the test leaves nothing running.
        await WaitUntilRunningAsync(restart.RunId!);
        Assert.Equal(restart.RunId, (await GetAsync("cold-sim"))["id"]!.GetValue<string>());
        await Api.Cancel(Http.Request("DELETE", "/api/warmups/cold-sim"), "cold-sim", Client, CancellationToken.None);
        Assert.Equal(restart.RunId, (await WaitForTargetAsync("cold-sim")).RunId);
    }
}
