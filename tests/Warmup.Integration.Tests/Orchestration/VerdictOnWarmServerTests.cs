using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Reporting;
using Warmup.Simulator;

namespace Warmup.Integration.Tests.Orchestration;

/// <summary>
/// The verdict where TTFTs are a few milliseconds, so one hiccup of this machine (a busy CI runner, the warmer's own
/// GC or thread pool) is as long as a whole request: the real orchestration on the in-process engine against the
/// simulator, judged against the simulator's own penalty record.
/// </summary>
public sealed class VerdictOnWarmServerTests
{
    private static WarmupRequest Light(string target) => new(target, WarmupReasons.Manual, PlanSpec.FromPreset(PlanPresets.Light), "corr-" + target);

    [Fact]
    public async Task A_warm_server_with_millisecond_ttfts_is_judged_warm()
    {
        // Nothing to compile, capture, allocate or load: a server that is warm from its first request, with the default
        // server's own timing jitter kept (the verdict must not mistake it for a cold path).
        var profile = SimulatorProfile.AlwaysWarm(0.05) with { JitterFraction = SimulatorProfile.Default.JitterFraction };
        await using var server = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = profile });
        await using var host = await WarmupHost.StartAsync(new InMemoryTargetCatalog(WarmupHost.Target("warm", server.BaseUrl) with { Model = profile.Model }), [new CollectingSink()]);

        // The default preset: its verification is the user-like mix, bursts included.
        var (report, _) = await WarmupHost.RunAsync(host, new WarmupRequest("warm", WarmupReasons.Manual, PlanSpec.FromPreset(PlanPresets.Default), "corr-warm"));

        Assert.DoesNotContain(server.Log.Snapshot(), r => r.ColdPenaltyMs > 0);
        Assert.True(report.Verdict!.IsWarm, report.Verdict.Reason);
        // Short prompts answer in a few milliseconds (long ones near the context limit in about 100 ms).
        Assert.True(report.Verdict.ByLength.Min(l => l.SteadyTtftMs) < 10, string.Join(", ", report.Verdict.ByLength));
        Assert.Equal(RunOutcomes.Warm, report.Outcome);
    }

    [Fact]
    public async Task The_same_server_with_cold_prefill_shapes_left_is_not_warm()
    {
        // Compiles per prefill bucket that the light plan does not reach: tens of ms at this scale, a real cold path.
        var profile = SimulatorProfile.Default with { TimeScale = 0.2, StartupDelayMs = 0 };
        await using var server = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = profile });
        await using var host = await WarmupHost.StartAsync(new InMemoryTargetCatalog(WarmupHost.Target("cold", server.BaseUrl) with { Model = profile.Model }), [new CollectingSink()]);

        var (report, _) = await WarmupHost.RunAsync(host, Light("cold"));

        var verification = server.Log.Snapshot().TakeLast(report.FirstUserLike!.Requests + report.Steady!.Requests).ToList();
        Assert.Contains(verification, r => r.Penalties.Any(p => p.BeforeFirstToken && p.Name.StartsWith("jit:", StringComparison.Ordinal)));
        Assert.False(report.Verdict!.IsWarm);
        Assert.Equal(RunOutcomes.NotWarm, report.Outcome);
        Assert.Contains("prompt tokens was", report.Verdict.Reason, StringComparison.Ordinal);
    }
}
