using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Warmup.Core.Analysis;
using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Reporting;

namespace Warmup.Integration.Tests.Orchestration;

/// <summary>
/// The real orchestrator and activities on the in-process Durable engine, against a loopback vLLM-like server.
/// Latencies are 150 ms and up so that scheduling noise on a busy machine stays far from the thresholds.
/// </summary>
public sealed class WarmupOrchestrationTests
{
    // The ratio between a steady server's first and steady requests is 1 +- noise; 1.5 keeps a loaded CI machine from
    // flipping it while staying far below the 6x of a cold shape (150 ms + 800 ms vs 150 ms).
    private const double Threshold = 1.5;

    private static WarmupRequest Request(string target, PlanSpec plan)
        => new(target, WarmupReasons.Manual, plan, "corr-" + target, Threshold);

    [Fact]
    public async Task Runs_the_activities_in_order_and_fans_out_each_concurrency_level()
    {
        // 400 ms per request: the two steps of a level must be seen overlapping, and on a loaded 2-core machine the
        // engine can take well over 150 ms to dispatch the second activity.
        await using var server = await VllmLikeServer.StartAsync(ColdModel.None, baseTtft: TimeSpan.FromMilliseconds(400));
        var target = WarmupHost.Target("steady", server.BaseUrl);
        var journal = new ActivityJournal();
        var sink = new CollectingSink();
        await using var host = await WarmupHost.StartAsync(new InMemoryTargetCatalog(target), [sink], journal);
        PlanStep[] steps = [new(64, 4, 1), new(128, 4, 1), new(64, 4, 2), new(200, 4, 2)];

        var (report, _) = await WarmupHost.RunAsync(host, Request("steady", PlanSpec.FromSteps("levels", steps)));

        var entries = journal.Entries.ToList();
        Assert.All(entries, e => Assert.False(e.Failed, e.Name));
        var byName = entries.GroupBy(e => e.Name).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Single(byName[TaskNames.WaitUntilReady]);
        Assert.Single(byName[TaskNames.ResolvePlan]);
        Assert.Single(byName[TaskNames.Verify]);
        Assert.Single(byName[TaskNames.Record]);
        var runSteps = byName[TaskNames.RunStep];
        Assert.Equal(4, runSteps.Count);

        // Order: readiness, plan, steps, verify, record; each starts after the one before has ended.
        Assert.True(byName[TaskNames.WaitUntilReady][0].Ended < byName[TaskNames.ResolvePlan][0].Started);
        Assert.True(byName[TaskNames.ResolvePlan][0].Ended < runSteps.Min(e => e.Started));
        Assert.True(runSteps.Max(e => e.Ended) < byName[TaskNames.Verify][0].Started);
        Assert.True(byName[TaskNames.Verify][0].Ended < byName[TaskNames.Record][0].Started);

        // Levels: both steps of a level run together, and level 2 starts only after level 1 has finished.
        var level1 = runSteps.Where(e => ((RunStepInput)e.Input!).Step.Concurrency == 1).ToList();
        var level2 = runSteps.Where(e => ((RunStepInput)e.Input!).Step.Concurrency == 2).ToList();
        Assert.Equal(2, level1.Count);
        Assert.Equal(2, level2.Count);
        Assert.True(level1.Max(e => e.Started) < level1.Min(e => e.Ended), "level 1 steps did not overlap");
        Assert.True(level2.Max(e => e.Started) < level2.Min(e => e.Ended), "level 2 steps did not overlap");
        Assert.True(level1.Max(e => e.Ended) < level2.Min(e => e.Started), "level 2 started before level 1 ended");
        Assert.Equal([0, 1, 2, 3], runSteps.Select(e => ((RunStepInput)e.Input!).StepIndex).Order());

        // Level 2 put 2 x 2 requests in flight at once: the fan-out and the simultaneous release reached the server.
        Assert.Equal(4, server.MaxInFlight);
        Assert.Equal(4, report.Steps.Count);
        Assert.Equal([64, 128, 64, 200], report.Steps.Select(s => s.Step.PromptTokens));
        Assert.All(report.Steps, s => Assert.Equal(s.Step.Concurrency, s.Succeeded));
        Assert.Equal(report.Outcome, Assert.Single(sink.Reports).Outcome);
    }

    [Fact]
    public async Task A_steady_server_is_warm_and_the_report_reaches_every_sink()
    {
        await using var server = await VllmLikeServer.StartAsync(ColdModel.None);
        var sink = new CollectingSink();
        await using var host = await WarmupHost.StartAsync(
            new InMemoryTargetCatalog(WarmupHost.Target("steady", server.BaseUrl)), [new ThrowingSink(), sink]);

        var (report, metadata) = await WarmupHost.RunAsync(host, Request("steady", PlanSpec.FromPreset(PlanPresets.Light)));

        Assert.Equal(RunOutcomes.Warm, report.Outcome);
        Assert.True(report.Verdict!.IsWarm, report.Verdict.Reason);
        // Measured, not a placeholder. No upper bound: the verdict above is what judges the ratio against the run's own
        // noise, and one stall of a loaded machine can move a raw mean of 5 requests well past 1.5 on a warm server.
        Assert.True(report.Verdict.Ratio > 0.5, $"ratio {report.Verdict.Ratio}");
        Assert.Equal(5, report.Verdict.ByLength.Count);
        Assert.Equal("openai", report.Dialect);
        Assert.Equal("tiny", report.Model);
        Assert.Equal(metadata.InstanceId, report.RunId);
        Assert.Equal(1 + 20, report.Totals.Requests);
        Assert.Equal(0, report.Totals.Failed);
        Assert.Equal(server.Requests.Count, report.Totals.Requests);
        Assert.Equal(5, report.FirstUserLike!.Requests);
        Assert.Equal(15, report.Steady!.Requests);
        Assert.True(report.Readiness.Ready);
        Assert.Equal(1024, report.Readiness.MaxContext);
        Assert.All(server.Requests, r => Assert.False(string.IsNullOrEmpty(r.WarmupHeader)));

        var recorded = Assert.Single(sink.Reports);
        Assert.Equal(ReportJson.Serialize(report), ReportJson.Serialize(recorded));
    }

    [Fact]
    public async Task The_full_plan_warms_every_bucket_of_a_bucketed_server_and_the_light_plan_does_not()
    {
        await using var fullServer = await VllmLikeServer.StartAsync(ColdModel.PowerOfTwoBuckets);
        await using var lightServer = await VllmLikeServer.StartAsync(ColdModel.PowerOfTwoBuckets);
        await using var host = await WarmupHost.StartAsync(
            new InMemoryTargetCatalog(WarmupHost.Target("full", fullServer.BaseUrl), WarmupHost.Target("light", lightServer.BaseUrl)),
            [new CollectingSink()]);

        var (full, _) = await WarmupHost.RunAsync(host, Request("full", PlanSpec.FromPreset(PlanPresets.Full)));
        var (light, _) = await WarmupHost.RunAsync(host, Request("light", PlanSpec.FromPreset(PlanPresets.Light)));

        Assert.Equal(RunOutcomes.Warm, full.Outcome);
        Assert.True(full.Verdict!.IsWarm, full.Verdict.Reason);
        var verifyRequests = fullServer.Requests.Count - full.Steps.Sum(s => s.Requests);
        Assert.Equal(20, verifyRequests);
        Assert.DoesNotContain(fullServer.Requests.TakeLast(20), r => r.Cold);

        Assert.Equal(RunOutcomes.NotWarm, light.Outcome);
        Assert.False(light.Verdict!.IsWarm);
        Assert.True(light.Verdict.Ratio > 3, light.Verdict.Reason);
        Assert.Contains("prompt tokens was", light.Verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_slow_on_the_first_request_of_every_length_is_not_warm()
    {
        await using var server = await VllmLikeServer.StartAsync(ColdModel.EveryLength);
        await using var host = await WarmupHost.StartAsync(
            new InMemoryTargetCatalog(WarmupHost.Target("fussy", server.BaseUrl)), [new CollectingSink()]);

        var (report, _) = await WarmupHost.RunAsync(host, Request("fussy", PlanSpec.FromPreset(PlanPresets.Full)));

        Assert.Equal(RunOutcomes.NotWarm, report.Outcome);
        var verdict = report.Verdict!;
        Assert.False(verdict.IsWarm);
        Assert.True(verdict.Ratio > 3, $"ratio {verdict.Ratio}");
        Assert.True(verdict.ByLength.Count(l => l.Ratio > Threshold) >= 4, string.Join(", ", verdict.ByLength));
        Assert.Equal(verdict.WorstPromptTokens, verdict.ByLength.MaxBy(l => l.Ratio)!.PromptTokens);
        Assert.Equal(0, report.Totals.Failed);
        Assert.NotEmpty(report.Steps);
    }

    [Fact]
    public async Task A_target_that_never_becomes_ready_still_records_a_never_ready_report()
    {
        var closedPort = FreePort();
        var sink = new CollectingSink();
        var target = WarmupHost.Target("down", new Uri($"http://127.0.0.1:{closedPort}/"), readyDeadline: TimeSpan.FromSeconds(2));
        var journal = new ActivityJournal();
        await using var host = await WarmupHost.StartAsync(new InMemoryTargetCatalog(target), [sink], journal);

        var (report, _) = await WarmupHost.RunAsync(host, Request("down", PlanSpec.FromPreset(PlanPresets.Full)));

        Assert.Equal(RunOutcomes.NeverReady, report.Outcome);
        Assert.False(report.Readiness.Ready);
        Assert.True(report.Readiness.Attempts >= 1);
        Assert.NotNull(report.Readiness.LastError);
        Assert.Empty(report.Steps);
        Assert.Null(report.Verdict);
        Assert.Null(report.Error);
        Assert.Equal([TaskNames.WaitUntilReady, TaskNames.Record], journal.Entries.Select(e => e.Name));
        Assert.Equal(RunOutcomes.NeverReady, Assert.Single(sink.Reports).Outcome);
    }

    [Fact]
    public async Task An_unknown_target_fails_at_once_without_retries_and_still_records_a_report()
    {
        var sink = new CollectingSink();
        var journal = new ActivityJournal();
        await using var host = await WarmupHost.StartAsync(new InMemoryTargetCatalog(), [sink], journal);

        var (report, _) = await WarmupHost.RunAsync(host, Request("ghost", PlanSpec.FromPreset(PlanPresets.Light)));

        Assert.Equal(RunOutcomes.Failed, report.Outcome);
        Assert.Equal("WaitUntilReady failed: unknown target 'ghost'; configured targets: none", report.Error);
        Assert.Equal(string.Empty, report.Dialect);
        Assert.Single(journal.Entries, e => e.Name == TaskNames.WaitUntilReady);
        Assert.Equal(RunOutcomes.Failed, Assert.Single(sink.Reports).Outcome);
    }

    [Fact]
    public async Task An_invalid_plan_fails_with_the_validation_message()
    {
        await using var server = await VllmLikeServer.StartAsync(ColdModel.None);
        var sink = new CollectingSink();
        await using var host = await WarmupHost.StartAsync(new InMemoryTargetCatalog(WarmupHost.Target("steady", server.BaseUrl)), [sink]);

        var (report, _) = await WarmupHost.RunAsync(host, Request("steady", PlanSpec.FromSteps("huge", [new PlanStep(2000, 8, 1)])));

        Assert.Equal(RunOutcomes.Failed, report.Outcome);
        Assert.Equal(
            "ResolvePlan failed: step 1: promptTokens + maxOutputTokens = 2008 exceeds the model's context window of 1024 tokens",
            report.Error);
        Assert.True(report.Readiness.Ready);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task An_infrastructure_fault_is_retried_and_the_run_completes()
    {
        await using var server = await VllmLikeServer.StartAsync(ColdModel.None);
        var journal = new ActivityJournal
        {
            Fault = (name, _, attempt) => name == TaskNames.RunStep && attempt == 1 ? new HttpRequestException("tokenizer unreachable") : null,
        };
        await using var host = await WarmupHost.StartAsync(
            new InMemoryTargetCatalog(WarmupHost.Target("flaky", server.BaseUrl)), [new CollectingSink()], journal);

        var (report, _) = await WarmupHost.RunAsync(host, Request("flaky", PlanSpec.FromPreset(PlanPresets.Light)));

        Assert.Equal(RunOutcomes.Warm, report.Outcome);
        var runSteps = journal.Entries.Where(e => e.Name == TaskNames.RunStep).ToList();
        Assert.Equal([true, false], runSteps.Select(e => e.Failed));
        Assert.Single(report.Steps);
    }

    [Fact]
    public async Task An_activity_that_keeps_failing_gives_a_failed_report_after_its_retries()
    {
        await using var server = await VllmLikeServer.StartAsync(ColdModel.None);
        var sink = new CollectingSink();
        var journal = new ActivityJournal
        {
            Fault = (name, _, _) => name == TaskNames.Verify ? new InvalidOperationException("worker lost") : null,
        };
        await using var host = await WarmupHost.StartAsync(
            new InMemoryTargetCatalog(WarmupHost.Target("broken", server.BaseUrl)), [sink], journal);

        var (report, _) = await WarmupHost.RunAsync(host, Request("broken", PlanSpec.FromPreset(PlanPresets.Light)));

        Assert.Equal(RunOutcomes.Failed, report.Outcome);
        Assert.Equal("Verify failed: worker lost", report.Error);
        Assert.Equal(3, journal.Entries.Count(e => e.Name == TaskNames.Verify && e.Failed));
        Assert.Single(report.Steps);
        Assert.Null(report.Verdict);
        Assert.Equal(1, report.Totals.Requests);
        Assert.Equal(RunOutcomes.Failed, Assert.Single(sink.Reports).Outcome);
    }

    [Fact]
    public async Task The_embedded_engine_reports_progress_from_the_custom_status()
    {
        await using var server = await VllmLikeServer.StartAsync(ColdModel.None);
        await using var host = await WarmupHost.StartAsync(
            new InMemoryTargetCatalog(WarmupHost.Target("steady", server.BaseUrl)), [new CollectingSink()]);
        var seen = new ConcurrentQueue<WarmupProgress>();
        var engine = new EmbeddedWarmupEngine(host.Client) { PollInterval = TimeSpan.FromMilliseconds(10) };
        PlanStep[] steps = [new(64, 4, 1), new(64, 4, 2), new(64, 4, 3)];

        var report = await engine.RunAsync(
            Request("steady", PlanSpec.FromSteps("three", steps)), new SynchronousProgress(seen.Enqueue));

        Assert.Equal(RunOutcomes.Warm, report.Outcome);
        var progress = seen.ToList();
        var warmup = progress.Where(p => p.Phase == Phases.Warmup).ToList();
        Assert.NotEmpty(warmup);
        Assert.All(warmup, p => Assert.Equal(3, p.TotalSteps));
        Assert.All(warmup, p => Assert.Matches(@"^step [1-3] of 3: concurrency [1-3], prompts of 64 tokens$", p.Description));
        Assert.Contains(progress, p => p.Phase == Phases.Verify);
        Assert.True(progress.FindIndex(p => p.Phase == Phases.Warmup) < progress.FindIndex(p => p.Phase == Phases.Verify));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class SynchronousProgress(Action<WarmupProgress> report) : IProgress<WarmupProgress>
    {
        public void Report(WarmupProgress value) => report(value);
    }
}
