using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;
using Warmup.Integration.Tests.Orchestration;
using Warmup.Simulator;

namespace Warmup.Integration.Tests.Traffic;

/// <summary>
/// Adapters the server lists in /v1/models (entries with a parent) are warmed and verified by the adaptive loop without
/// being configured; where the server holds fewer at once than it serves, only that many are, and the loop leaves the
/// rest alone. The real orchestration on the in-process engine against the simulator's lora profile (sql-lora,
/// chat-lora, code-lora); assertions on the simulator's request log.
/// </summary>
public sealed class DiscoveredAdapterTests
{
    private static readonly string[] Listed = ["sql-lora", "chat-lora", "code-lora"];

    private static SimulatorProfile Lora(int maxLoras) => SimulatorProfile.Builtin("lora") with
    {
        TimeScale = 0.02, StartupDelayMs = 0, JitterFraction = 0, MaxModelLen = 2048, MaxLoras = maxLoras,
    };

    private static WarmupTarget Target(SimulatorHost simulator, int? maxLoadedAdapters = null) =>
        WarmupHost.Target("lora", simulator.BaseUrl) with
        {
            Model = simulator.Profile.Model,
            Limits = WarmupHost.Target("lora", simulator.BaseUrl).Limits with { MaxLoadedAdapters = maxLoadedAdapters },
        };

    private static WarmupRequest Adaptive() => new("lora", WarmupReasons.Manual, PlanSpec.FromPreset(PlanPresets.Adaptive) with { MaxRounds = 3 }, "corr-lora");

    [Fact]
    public async Task Adapters_listed_by_the_server_are_warmed_and_verified_without_being_configured()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = Lora(maxLoras: 4) });
        Assert.Equal(Listed, simulator.Profile.LoraAdapters.Select(a => a.Name));
        await using var host = await WarmupHost.StartAsync(new InMemoryTargetCatalog(Target(simulator)), [new CollectingSink()]);

        var (report, _) = await WarmupHost.RunAsync(host, Adaptive());

        Assert.Contains(report.Notes, n => n.Contains("warmed without being configured: sql-lora, chat-lora, code-lora", StringComparison.Ordinal));
        // The same in the report's own field, as the Functions app and the CLI (the same orchestration) record it.
        Assert.Equal(Listed, report.Adapters!.Discovered);
        Assert.Equal(Listed, report.Adapters.Warmed);
        Assert.Empty(report.Adapters.LeftOut);
        Assert.Empty(report.Adapters.Configured);
        var log = simulator.Log.Snapshot().OrderBy(r => r.Sequence).ToList();
        foreach (var adapter in Listed)
        {
            var calls = log.Where(r => r.Adapter == adapter).ToList();
            // The plan loaded it (the first call paid the load), then verification found it warm: first-user-like and steady.
            Assert.Contains(calls[0].Penalties, p => p.Name == $"lora:{adapter}" && p.BeforeFirstToken);
            Assert.True(calls.Count >= 1 + 1 + VerificationPlan.DefaultSteadyRepeats, $"{adapter}: {calls.Count} requests");
            // Judged on the server's own penalty record: a timing verdict on a loaded machine may still flag one (#10 false alarms).
            Assert.All(calls.Skip(1), r => Assert.DoesNotContain(r.Penalties, p => p.Name.StartsWith("lora:", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task More_adapters_than_the_server_holds_warms_as_many_as_it_holds_says_so_and_never_touches_the_rest()
    {
        // The server holds 2 adapters at once (its LRU) and lists 3; it does not say so in its metrics, the target does.
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = Lora(maxLoras: 2) });
        await using var host = await WarmupHost.StartAsync(new InMemoryTargetCatalog(Target(simulator, maxLoadedAdapters: 2)), [new CollectingSink()]);

        var (report, _) = await WarmupHost.RunAsync(host, Adaptive());

        Assert.Contains(report.Notes, n => n.Contains("holds 2 adapters at once and serves 3", StringComparison.Ordinal)
                                           && n.Contains("(sql-lora, chat-lora), not code-lora", StringComparison.Ordinal));
        Assert.Equal(["code-lora"], report.Adapters!.LeftOut);
        Assert.Equal(["sql-lora", "chat-lora"], report.Adapters.Warmed);
        Assert.Equal(2, report.Adapters.Capacity);
        var log = simulator.Log.Snapshot();
        Assert.DoesNotContain(log, r => r.Adapter == "code-lora");
        Assert.All(Listed.Take(2), a => Assert.Single(log, r => r.Adapter == a && r.Penalties.Any(p => p.Name == $"lora:{a}")));
        Assert.DoesNotContain(report.Adaptive!.ColdShapes, c => c.Adapter == "code-lora");
    }
}
