using Microsoft.Extensions.DependencyInjection;
using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Traffic;
using Warmup.Integration.Tests.Orchestration;
using Warmup.Simulator;

namespace Warmup.Integration.Tests.Traffic;

/// <summary>
/// An adaptive run on the in-process engine whose PlanRound activity reads a recorded traffic observation (the store the
/// Functions app's idle timer fills): the plan warms the users' range and the verification probes it first.
/// </summary>
public sealed class TrafficShapedRunTests
{
    [Fact]
    public async Task The_adaptive_run_warms_and_verifies_the_users_prompt_range_first()
    {
        var profile = SimulatorProfile.Default with { TimeScale = 0.02, StartupDelayMs = 0, JitterFraction = 0, MaxModelLen = 4096 };
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = profile });
        var target = WarmupHost.Target("shaped", simulator.BaseUrl) with { Model = profile.Model };
        var store = new InMemoryObservedTrafficStore();
        await store.SaveAsync(new TrafficRecord
        {
            Target = "shaped",
            Model = profile.Model,
            UserPrompts = [new UserBucket(1000, 2000, 40)],
            MaxRunning = 3,
        }, CancellationToken.None);
        await using var host = await WarmupHost.StartAsync(
            new InMemoryTargetCatalog(target), [new CollectingSink()], configure: s => s.AddSingleton<IObservedTrafficStore>(store));

        var (report, _) = await WarmupHost.RunAsync(host, new WarmupRequest("shaped", WarmupReasons.Manual, PlanSpec.FromPreset(PlanPresets.Adaptive) with { MaxRounds = 2 }, "corr-shaped"));

        Assert.Contains(report.Notes, n => n.Contains("users sent prompts of 1001-2000 tokens (40 requests observed)", StringComparison.Ordinal));
        Assert.Contains(report.Notes, n => n.Contains("up to 3 requests running at once", StringComparison.Ordinal));
        var rungs = TrafficFirst.RangeRungs(new ObservedTraffic(1001, 2000, 3, 40), 4096);
        var plan = report.Steps.Where(s => s.Step.Concurrency == 1 && s.Step.Adapter is null).Select(s => s.Step.PromptTokens).ToList();
        Assert.All(rungs, r => Assert.Contains(r, plan));
        Assert.Contains(report.Steps, s => s.Step.Concurrency == 3 && s.Step.PromptTokens == 1500);
        // The (last round's) verification sent the users' range first: its first three lengths lie in it.
        Assert.NotEmpty(report.Adaptive!.Rounds);
        Assert.All(report.FirstUserLike!.PromptLengths!.Take(VerificationPlan.ObservedPoints), l => Assert.InRange(l, 1001, 2000));
        // And no request of the last verification in that range met a cold prefill shape on the server (verification runs
        // after the plan, so its requests are the log's last ones).
        var last = report.FirstUserLike!.Requests + report.Steady!.Requests;
        var verification = simulator.Log.Snapshot().OrderBy(r => r.Sequence).TakeLast(last).ToList();
        // The prompt factory may miss a length by its tolerance (2 %), so the range's edge points are counted with it.
        var inRange = verification.Where(r => r.PromptTokens is >= 980 and <= 2040).ToList();
        // Each observed point once first-user-like and at least once steady (long prompts get one steady repeat).
        Assert.True(inRange.Count >= VerificationPlan.ObservedPoints * 2, $"{inRange.Count} verification requests in range");
        Assert.All(inRange, r => Assert.DoesNotContain(r.Penalties, p => p.Name.StartsWith("jit:", StringComparison.Ordinal) && p.BeforeFirstToken));
    }
}
