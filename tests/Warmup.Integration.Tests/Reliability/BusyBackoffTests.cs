using System.Text;
using System.Text.Json.Nodes;
using Warmup.Core.Orchestration;
using Warmup.Core.Reporting;
using Warmup.Integration.Tests.Orchestration;
using Warmup.Simulator;

namespace Warmup.Integration.Tests.Reliability;

/// <summary>
/// A target busy with users (vllm:num_requests_running in its /metrics) is not warmed over their heads: the run waits
/// before the level, then proceeds once it is quiet, or ends as busy after limits.busyMaxWait.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class BusyBackoffTests
{
    [Fact]
    public async Task A_target_busy_for_longer_than_busyMaxWait_ends_busy_without_a_warm_up_request()
    {
        await using var simulator = await FaultRun.StartSimulatorAsync("none");
        using var user = new CancellationTokenSource();
        var userRequest = StartUserRequestAsync(simulator, outputTokens: 8000, user.Token);
        await WaitUntilRunningAsync(simulator);
        var target = FaultRun.Target(simulator, TimeSpan.FromSeconds(2), l => l with { BusyMaxWait = TimeSpan.FromSeconds(1) });

        var (report, wall) = await FaultRun.RunAsync(target);

        Assert.True(report.Outcome == RunOutcomes.Busy, $"{report.Outcome} after {wall}: {report.Error} {string.Join(',', simulator.Log.Snapshot().Select(r => r.CompletionTokens))}");
        Assert.Empty(report.Steps);
        Assert.Equal(0, report.Totals.Requests);
        Assert.Contains("busy with users (1 running", report.Error, StringComparison.Ordinal);
        Assert.True(wall >= TimeSpan.FromSeconds(1) && wall < TimeSpan.FromSeconds(10), $"took {wall}");
        Assert.Equal(0, simulator.Log.Count); // the user's request is still streaming; the run sent nothing
        await user.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => userRequest);
    }

    [Fact]
    public async Task A_target_that_gets_quiet_within_busyMaxWait_is_warmed_after_the_users_request_ended()
    {
        await using var simulator = await FaultRun.StartSimulatorAsync("none");
        var userRequest = StartUserRequestAsync(simulator, outputTokens: 1500, CancellationToken.None);
        await WaitUntilRunningAsync(simulator);
        var target = FaultRun.Target(simulator, TimeSpan.FromSeconds(5), l => l with { BusyMaxWait = TimeSpan.FromSeconds(20) });

        var (report, _) = await FaultRun.RunAsync(target);
        await userRequest;

        Assert.Equal(RunOutcomes.Warm, report.Outcome);
        var records = simulator.Log.Snapshot().OrderBy(r => r.ArrivalUnixNs).ToList();
        var users = records[0];
        Assert.Equal(1500, users.CompletionTokens);
        var usersEnd = users.Chunks[^1].SentUnixNs;
        Assert.All(records.Skip(1), r => Assert.True(r.ArrivalUnixNs > usersEnd, "a warm-up request arrived while the user's request ran"));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public async Task A_server_that_restarts_while_the_run_waits_out_its_users_is_sent_the_steps_before_again(int level)
    {
        // Users arrive before level 2 (or level 1): the reading before it finds one running. The server is then replaced by
        // a new process, with no request of the run failing, before the wait's next reading.
        await using var simulator = await FaultRun.StartSimulatorAsync("none");
        Task? userRequest = null;
        var readings = 0;
        var journal = new ActivityJournal
        {
            Fault = (name, _, _) =>
            {
                if (name == TaskNames.ReadLoad)
                {
                    var reading = Interlocked.Increment(ref readings);
                    if (reading == level)
                    {
                        userRequest = StartUserRequestAsync(simulator, outputTokens: 1500, CancellationToken.None);
                        WaitUntilRunningAsync(simulator).GetAwaiter().GetResult();
                    }
                    else if (reading == level + 1)
                    {
                        simulator.RestartUnseen();
                    }
                }

                return null;
            },
        };
        var target = FaultRun.Target(simulator, TimeSpan.FromSeconds(5), l => l with { BusyMaxWait = TimeSpan.FromSeconds(20) });

        var (report, _) = await FaultRun.RunAsync(target, journal: journal);
        await userRequest!;

        Assert.True(report.Outcome == RunOutcomes.Warm, $"{report.Outcome}: {report.Verdict?.Reason} {report.Error}");
        Assert.Equal(0, report.Totals.Failed);
        // The wait read again while the user's request ran, and the level was sent only after it ended.
        var records = simulator.Log.Snapshot().OrderBy(r => r.ArrivalUnixNs).ToList();
        var users = Assert.Single(records, r => r.CompletionTokens == 1500);
        Assert.Equal(level - 1, records.IndexOf(users));
        Assert.True(records[level].ArrivalUnixNs > users.Chunks[^1].SentUnixNs, $"level {level} was sent while the user's request ran");
        if (level == 1)
        {
            // Before the run's first step a restart has cost nothing: nothing is recorded or sent again.
            Assert.Empty(report.Outages);
            Assert.Equal([1, 2, 4], report.Steps.Select(s => s.Succeeded));
            Assert.True(readings >= 4, $"{readings} readings");
            return;
        }

        var outage = Assert.Single(report.Outages);
        Assert.True(outage.BetweenLevels);
        Assert.StartsWith("process_start_time_seconds changed", outage.RestartEvidence, StringComparison.Ordinal);
        // What level 1 warmed went with the old process: the plan was sent again before verifying. One reading before
        // each of the 6 levels, and at least one more during the wait.
        Assert.Equal([1, 2, 4, 1, 2, 4], report.Steps.Select(s => s.Succeeded));
        Assert.True(readings >= 7, $"{readings} readings");
    }

    private static async Task StartUserRequestAsync(SimulatorHost simulator, int outputTokens, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = simulator.BaseUrl, Timeout = TimeSpan.FromMinutes(2) };
        var body = new JsonObject
        {
            ["model"] = simulator.Profile.Model,
            ["prompt"] = "a user of the endpoint",
            ["max_tokens"] = outputTokens,
            ["min_tokens"] = outputTokens,
            ["ignore_eos"] = true,
            ["stream"] = true,
        };
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("/v1/completions", UriKind.Relative), content, cancellationToken);
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsStringAsync(cancellationToken);
    }

    private static async Task WaitUntilRunningAsync(SimulatorHost simulator)
    {
        using var http = new HttpClient { BaseAddress = simulator.BaseUrl };
        // A deadline, not a count of polls: on a loaded machine the user's request can take seconds to start streaming.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            if (metrics.Split('\n').Any(l => l.StartsWith("vllm:num_requests_running", StringComparison.Ordinal) && !l.TrimEnd().EndsWith(" 0", StringComparison.Ordinal) && !l.TrimEnd().EndsWith(" 0.0", StringComparison.Ordinal)))
            {
                return;
            }

            await Task.Delay(20);
        }

        Assert.Fail("the user's request never showed up as running in /metrics");
    }
}
