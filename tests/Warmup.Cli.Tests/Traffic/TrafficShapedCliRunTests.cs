using Warmup.Core.Reporting;
using Warmup.Core.Traffic;
using Warmup.Simulator;

namespace Warmup.Cli.Tests.Traffic;

/// <summary>
/// `warmup run` with the real executable against the simulator after users sent prompts the coarse ladder does not
/// start with (1,300-1,900 tokens): the run checks /metrics at its start, warms and verifies the users' range first,
/// and a second run takes the first run's own requests out of the histogram delta (the users' count stays theirs).
/// </summary>
public sealed class TrafficShapedCliRunTests : CliRunAgainstSimulator
{
    private static readonly int[] UsersPrompts = [1300, 1500, 1500, 1700, 1900];

    protected override SimulatorProfile Profile => SimulatorProfile.Default with { TimeScale = 0.02, StartupDelayMs = 0, MaxModelLen = 4096 };

    [Fact]
    public async Task The_users_range_is_warmed_and_verified_first_and_the_next_run_takes_out_the_first_runs_own_traffic()
    {
        await SimulatedUsers.SendAsync(Simulator.BaseUrl, Simulator.Profile.Model, UsersPrompts);
        var users = Simulator.Log.Count;

        var (first, report) = await RunAdaptiveAsync();

        Assert.Contains(
            "Traffic: users sent 5 requests with prompts of 1001-2000 tokens since the server started; 0 running at most when checked (kept in ",
            Flat(first), StringComparison.Ordinal);
        Assert.Contains(report.Notes, n => n.Contains("users sent prompts of 1001-2000 tokens (5 requests observed)", StringComparison.Ordinal));
        // Round 1 starts with the users' range: its rungs first, in the report and on the server.
        var rangeSteps = report.Steps.TakeWhile(s => s.Step.PromptTokens is >= 1001 and <= 2000 && s.Step.Concurrency == 1).Count();
        var rungs = TrafficFirst.RangeRungs(new ObservedTraffic(1001, 2000, 0, 5), 4096);
        Assert.True(rangeSteps >= rungs.Count, $"{rangeSteps} steps in range before any other: {string.Join(", ", report.Steps.Select(s => s.Step.PromptTokens))}");
        var sent = Simulator.Log.Snapshot().OrderBy(r => r.Sequence).Skip(users).ToList();
        // Steps go out in parts of --max-concurrency (4) released together, so only whole parts keep their order on the
        // server. The prompt factory may miss a length by its tolerance (2 %), so the range is counted with it.
        Assert.All(sent.Take(rangeSteps / 4 * 4), r => Assert.InRange(r.PromptTokens, 980, 2040));
        // Every verification (the last one here) probes the users' range first, and the server saw it so.
        Assert.All(report.FirstUserLike!.PromptLengths!.Take(3), l => Assert.InRange(l, 1001, 2000));
        var verification = sent.TakeLast(report.FirstUserLike.Requests + report.Steady!.Requests).ToList();
        Assert.InRange(verification[0].PromptTokens, 980, 2040);

        // No users since: the second run's check finds only the first run's own requests, and takes them all out.
        var (second, again) = await RunAdaptiveAsync();

        Assert.Contains(
            $"Traffic: users sent 5 requests with prompts of 1001-2000 tokens since {report.StartedAt:yyyy-MM-dd}",
            Flat(second), StringComparison.Ordinal);
        Assert.Contains($", less {report.Totals.Requests} of Warmup's own; 0 running at most when checked", Flat(second), StringComparison.Ordinal);
        Assert.Contains(again.Notes, n => n.Contains("users sent prompts of 1001-2000 tokens (5 requests observed)", StringComparison.Ordinal));
    }

    private static string Flat(CliResult result) => result.Output.Replace("\n", "", StringComparison.Ordinal);
}
