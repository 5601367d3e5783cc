using System.Text;
using System.Text.Json.Nodes;
using Warmup.Core.Reporting;
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
        for (var i = 0; i < 100; i++)
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
