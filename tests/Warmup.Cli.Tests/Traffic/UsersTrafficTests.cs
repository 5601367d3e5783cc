using Warmup.Cli.ShapeMaps;
using Warmup.Cli.Traffic;
using Warmup.Core.Analysis;
using Warmup.Core.Planning;
using Warmup.Core.Readiness;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;
using Warmup.Simulator;

namespace Warmup.Cli.Tests.Traffic;

/// <summary>
/// The CLI's check of users' traffic at the start of a run, against the simulator's real /metrics (vLLM's prompt
/// histogram) and a cache folder of the test's own: the first check counts the histogram since the server started,
/// later ones the delta less Warmup's own runs (kept beside it), and a restarted server's counts are taken whole.
/// </summary>
public sealed class UsersTrafficTests : IDisposable
{
    private static readonly SimulatorProfile Fast = SimulatorProfile.Default with { TimeScale = 0.01, StartupDelayMs = 0, JitterFraction = 0, MaxModelLen = 4096 };
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"warmup-traffic-{Guid.NewGuid():n}");

    private static WarmupTarget Target(Uri baseUrl) => new() { Name = "endpoint", BaseUrl = baseUrl, Model = Fast.Model };

    private UsersTraffic Traffic(TargetCatalog catalog) => new(new FileTrafficStore(new FileShapeMapStore(_folder, catalog)), TimeProvider.System);

    [Fact]
    public async Task The_first_check_counts_users_since_start_later_ones_take_out_Warmups_own_runs_and_a_restart_starts_the_delta_over()
    {
        var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = Fast, Port = 0 });
        var target = Target(simulator.BaseUrl);
        var catalog = new TargetCatalog([target]);
        try
        {
            await SimulatedUsers.SendAsync(simulator.BaseUrl, Fast.Model, 700, 700, 700, 1500, 1500);

            var first = await Traffic(catalog).CheckAsync(target, catalog, CancellationToken.None);

            Assert.Equal([(500.0, 1000.0, 3.0), (1000.0, 2000.0, 2.0)], first.Record!.UserPrompts.Select(b => (b.Low, b.High, b.Requests)));
            Assert.Equal("users sent 5 requests with prompts of 501-2000 tokens since the server started; 0 running at most when checked", first.Summary);

            // A run of Warmup (two 64-token steps and one of 1,500, as its report says), then one user at 300 tokens.
            await SimulatedUsers.SendAsync(simulator.BaseUrl, Fast.Model, 64, 64, 1500, 300);
            await Traffic(catalog).RecordOwnAsync(Report(Step(64, 2), Step(1500, 1)), CancellationToken.None);

            var second = await Traffic(catalog).CheckAsync(target, catalog, CancellationToken.None);

            Assert.Equal(
                [(200.0, 500.0, 1.0), (500.0, 1000.0, 3.0), (1000.0, 2000.0, 2.0)], second.Record!.UserPrompts.Select(b => (b.Low, b.High, b.Requests)));
            Assert.Contains("users sent 6 requests with prompts of 201-2000 tokens since ", second.Summary, StringComparison.Ordinal);
            Assert.Contains(", less 3 of Warmup's own;", second.Summary, StringComparison.Ordinal);

            // The server restarts (its counters start at zero) and a user sends 1,500 once. The simulator cannot take
            // the old port back at once (TIME_WAIT), so the restarted server is scraped at its new address while the
            // kept file stays the configured target's.
            await simulator.DisposeAsync();
            simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = Fast, Port = 0 });
            await SimulatedUsers.SendAsync(simulator.BaseUrl, Fast.Model, 1500);
            var restarted = target with { BaseUrl = simulator.BaseUrl };

            var third = await Traffic(catalog).CheckAsync(restarted, new TargetCatalog([restarted]), CancellationToken.None);

            Assert.Equal(1, third.Record!.CounterResets);
            Assert.Equal(
                [(200.0, 500.0, 1.0), (500.0, 1000.0, 3.0), (1000.0, 2000.0, 3.0)], third.Record.UserPrompts.Select(b => (b.Low, b.High, b.Requests)));
        }
        finally
        {
            await simulator.DisposeAsync();
        }
    }

    [Fact]
    public async Task Without_a_cache_every_check_counts_since_the_server_started_and_keeps_nothing()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = Fast, Port = 0 });
        var target = Target(simulator.BaseUrl);
        var catalog = new TargetCatalog([target]);
        var uncached = new UsersTraffic(null, TimeProvider.System);
        await SimulatedUsers.SendAsync(simulator.BaseUrl, Fast.Model, 1500);

        var first = await uncached.CheckAsync(target, catalog, CancellationToken.None);
        // Warmup's own request is sent, but with nothing kept there is no record of it at the next check.
        await SimulatedUsers.SendAsync(simulator.BaseUrl, Fast.Model, 1500);
        await uncached.RecordOwnAsync(Report(Step(1500, 1)), CancellationToken.None);
        var again = await uncached.CheckAsync(target, catalog, CancellationToken.None);

        Assert.Equal(1.0, Assert.Single(first.Record!.UserPrompts).Requests);
        Assert.Equal(2.0, Assert.Single(again.Record!.UserPrompts).Requests);
        Assert.EndsWith("since the server started; 0 running at most when checked", again.Summary, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_folder));
    }

    [Fact]
    public async Task A_server_whose_metrics_cannot_be_read_gives_no_traffic_and_one_note()
    {
        await using var server = await LoadingServer.StartAsync();
        var target = Target(server.BaseUrl);
        var catalog = new TargetCatalog([target]);

        var check = await Traffic(catalog).CheckAsync(target, catalog, CancellationToken.None);

        Assert.Null(check.Record);
        Assert.Equal("the server's metrics could not be read: no users' prompt lengths observed", check.Summary);
    }

    [Fact]
    public async Task A_run_whose_check_read_nothing_still_keeps_its_own_requests_for_the_next_check()
    {
        // The run began while the server was still loading: its check read nothing, and it then warmed the server.
        StepResult[] ownRun = [Step(1500, 1), Step(64, 2)];
        await using (var loading = await LoadingServer.StartAsync())
        {
            var early = Target(loading.BaseUrl);
            var earlyCatalog = new TargetCatalog([early]);
            Assert.Null((await Traffic(earlyCatalog).CheckAsync(early, earlyCatalog, CancellationToken.None)).Record);
            await Traffic(earlyCatalog).RecordOwnAsync(Report(ownRun), CancellationToken.None);

            // The loaded server (scraped at its own address; the kept file stays the configured target's) served the
            // run's requests, then a user's 700-token prompt.
            await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = Fast, Port = 0 });
            await SimulatedUsers.SendAsync(simulator.BaseUrl, Fast.Model, 1500, 64, 64, 700);
            var loaded = early with { BaseUrl = simulator.BaseUrl };

            var next = await Traffic(earlyCatalog).CheckAsync(loaded, new TargetCatalog([loaded]), CancellationToken.None);

            Assert.Equal([(500.0, 1000.0, 1.0)], next.Record!.UserPrompts.Select(b => (b.Low, b.High, b.Requests)));
            Assert.StartsWith("users sent 1 requests with prompts of 501-1000 tokens since the server started, less 3 of Warmup's own;", next.Summary, StringComparison.Ordinal);
        }
    }

    private static StepResult Step(int promptTokens, int requests) => new()
    {
        Step = new PlanStep(promptTokens, 8, requests),
        Requests = requests,
        TtftMs = LatencySummary.Empty,
        InterTokenMs = LatencySummary.Empty,
        E2eMs = LatencySummary.Empty,
    };

    private static WarmupReport Report(params StepResult[] steps) => new()
    {
        RunId = "r", CorrelationId = "c", Target = "endpoint", Dialect = "openai", Model = Fast.Model, Reason = "manual", Plan = "full",
        Outcome = RunOutcomes.Warm, Readiness = new ReadinessResult(true, 1, 1, null), Steps = steps,
        Totals = new RunTotals(0, 0, 0, 0, new Dictionary<string, int>()),
    };

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
