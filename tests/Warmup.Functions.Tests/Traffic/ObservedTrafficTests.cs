using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Warmup.Cli.Hosting;
using Warmup.Core.Orchestration;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;
using Warmup.Core.Traffic;
using Warmup.Functions.Configuration;
using Warmup.Functions.Idle;
using Warmup.Functions.Starting;
using Warmup.Functions.Tests.Support;
using Warmup.Functions.Triggers;
using Warmup.Simulator;

namespace Warmup.Functions.Tests.Traffic;

/// <summary>
/// The idle timer's traffic record against the simulator over loopback, with a real warm-up of the Functions app on the
/// in-process Durable engine in between: what the server's prompt histogram gained, less that run's own requests (read
/// back from its report through the durable client), is what users sent. The entity store is swapped for an in-memory
/// one (entities do not run on the in-process engine); its entity and store are tested on their own below.
/// </summary>
public sealed class ObservedTrafficTests : IAsyncLifetime
{
    private const string Name = "sim";
    private static readonly SimulatorProfile Fast = SimulatorProfile.Default with { TimeScale = 0.02, StartupDelayMs = 0, JitterFraction = 0 };
    private readonly InMemoryObservedTrafficStore _store = new();
    private SimulatorHost _simulator = null!;
    private ServiceProvider _app = null!;
    private DurableTaskTestHost _durable = null!;

    public async Task InitializeAsync()
    {
        _simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = Fast });
        var target = new JsonObject
        {
            ["name"] = Name,
            ["baseUrl"] = _simulator.BaseUrl.ToString(),
            ["model"] = Fast.Model,
            ["limits"] = new JsonObject { ["maxConcurrency"] = 4, ["readyDeadline"] = "00:00:12", ["requestTimeout"] = "00:00:30" },
        };
        var settings = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [AppSettingNames.Targets] = new JsonArray(target).ToJsonString() }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(settings);
        services.AddWarmupFunctions(settings);
        services.AddSingleton<Func<DurableTaskClient, IObservedTrafficStore>>(_ => _ => _store);
        services.AddSingleton<IIdleStateStore, InMemoryIdleStateStore>();
        _app = services.BuildServiceProvider();
        _durable = await FreePortTestHost.StartAsync(registry => FunctionShims.Register(registry, _app), port => new DurableTaskTestHostOptions { Port = port });
    }

    public async Task DisposeAsync()
    {
        await _durable.DisposeAsync();
        await _app.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    private DurableTaskClient Client => _durable.Client;

    private WarmupTarget Target => _app.GetRequiredService<ITargetCatalog>().Require(Name);

    private async Task<TrafficRecord> RecordAsync(WarmupTarget? target = null)
    {
        target ??= Target;
        var load = await _app.GetRequiredService<IServerLoadReader>().ReadAsync(target, CancellationToken.None);
        var recorded = await _app.GetRequiredService<ObservedTrafficRecorder>().RecordAsync(Client, target, load, DateTimeOffset.UtcNow, CancellationToken.None);
        return Assert.IsType<TrafficRecord>(recorded);
    }

    private async Task<WarmupReport> WarmUpAsync()
    {
        var api = ActivatorUtilities.CreateInstance<WarmupApi>(_app);
        var started = await api.Start(Http.Request("POST", $"/api/warmups/{Name}", """{"plan":"light"}"""), Name, Client, CancellationToken.None);
        Assert.IsType<AcceptedResult>(started);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var done = await Client.WaitForInstanceCompletionAsync(TaskNames.InstanceIdFor(Name), getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        return done.ReadOutputAs<WarmupReport>()!;
    }

    /// <summary>A user's request of exactly <paramref name="promptTokens"/> tokens (one word is one token in the simulator).</summary>
    private static async Task UserAsync(Uri server, int promptTokens)
    {
        using var http = new HttpClient { BaseAddress = server };
        using var response = await http.PostAsJsonAsync("/v1/completions", new
        {
            model = Fast.Model,
            prompt = string.Concat(Enumerable.Repeat(" word", promptTokens)),
            max_tokens = 4,
        });
        response.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Users_prompt_range_is_the_histogram_delta_less_Warmups_own_run_and_a_restart_starts_the_delta_over()
    {
        var baseline = await RecordAsync();
        Assert.Empty(baseline.UserPrompts);

        // Warmup's own light run, then users: three 700-token prompts and two of 1,500.
        var report = await WarmUpAsync();
        Assert.Equal(report.Totals.Requests, OwnTraffic.From(report).Sum(s => s.Requests));
        foreach (var length in (int[])[700, 700, 700, 1500, 1500])
        {
            await UserAsync(_simulator.BaseUrl, length);
        }

        // The next timer tick (the app's own timer: the run just completed, so it skips, and still records).
        var timer = ActivatorUtilities.CreateInstance<IdleRewarmTimer>(_app);
        var tick = await timer.CheckAsync(Client, Target, CancellationToken.None);
        Assert.Equal(("skipped", SkipReasons.RecentlyWarmed), (tick.Result, tick.Reason));
        var afterUsers = Assert.IsType<TrafficRecord>(await _store.GetAsync(Name, CancellationToken.None));

        Assert.True(report.Totals.Requests > 10, "the run's own requests were many more than the users'");
        Assert.Equal([(500.0, 1000.0, 3.0), (1000.0, 2000.0, 2.0)], afterUsers.UserPrompts.Select(b => (b.Low, b.High, b.Requests)));
        Assert.Equal((501, 2000, 5L), (afterUsers.Observed().ShortestPrompt, afterUsers.Observed().LongestPrompt, afterUsers.Observed().UserRequests));

        // The server restarts (a fresh process; on another port here, as the old one lingers in TIME_WAIT, so the target
        // is pointed at it) and a user sends one 300-token prompt.
        await _simulator.DisposeAsync();
        _simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = Fast });
        await UserAsync(_simulator.BaseUrl, 300);

        var afterRestart = await RecordAsync(Target with { BaseUrl = _simulator.BaseUrl });

        Assert.Equal(1, afterRestart.CounterResets);
        Assert.Equal(
            [(200.0, 500.0, 1.0), (500.0, 1000.0, 3.0), (1000.0, 2000.0, 2.0)],
            afterRestart.UserPrompts.Select(b => (b.Low, b.High, b.Requests)));
    }

    private sealed class InMemoryIdleStateStore : IIdleStateStore
    {
        private IdleObservation? _last;

        public Task<IdleObservation?> GetAsync(DurableTaskClient client, string target, CancellationToken cancellationToken) => Task.FromResult(_last);

        public Task SaveAsync(DurableTaskClient client, IdleObservation observation, CancellationToken cancellationToken)
        {
            _last = observation;
            return Task.CompletedTask;
        }
    }
}
