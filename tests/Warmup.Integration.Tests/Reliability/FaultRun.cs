using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;
using Warmup.Integration.Tests.Orchestration;
using Warmup.Simulator;

namespace Warmup.Integration.Tests.Reliability;

/// <summary>
/// One warm-up through the real orchestrator on the in-process Durable engine against a simulator with a fault plan.
/// The simulator has no cold-start effects here (every shape answers like a warm one), so a run that recovers from its
/// faults ends warm, and any other outcome comes from the fault alone. The verdict is not under test here, so its threshold
/// is loose (<see cref="Threshold"/>): on a shared machine a millisecond-scale server's first request can be 2x its steady
/// one from scheduling noise alone.
/// </summary>
internal static class FaultRun
{
    /// <summary>Three levels, 1 + 2 + 4 requests, then verification.</summary>
    public static readonly PlanStep[] ThreeLevels = [new(64, 8, 1), new(64, 8, 2), new(64, 8, 4)];

    public const double Threshold = 10;

    public static SimulatorProfile FlatProfile { get; } = SimulatorProfile.AlwaysWarm(timeScale: 0.05);

    public static Task<SimulatorHost> StartSimulatorAsync(string faults, string? apiKey = null, string family = ServerFamily.Vllm)
        => SimulatorHost.StartAsync(new SimulatorOptions { Profile = FlatProfile, Faults = FaultPlan.Parse(faults), ApiKey = apiKey, Family = family });

    public static WarmupTarget Target(SimulatorHost simulator, TimeSpan requestTimeout, Func<TargetLimits, TargetLimits>? limits = null)
    {
        var target = WarmupHost.Target("faulty", simulator.BaseUrl, readyDeadline: TimeSpan.FromSeconds(10)) with { Model = simulator.Profile.Model };
        var withTimeout = target.Limits with { RequestTimeout = requestTimeout, BusyPollInterval = TimeSpan.FromMilliseconds(200) };
        return target with { Limits = limits?.Invoke(withTimeout) ?? withTimeout };
    }

    /// <summary>
    /// A run of <paramref name="steps"/> (default <see cref="ThreeLevels"/>), or of <paramref name="plan"/> when given;
    /// <paramref name="journal"/> sees (and may act on) every activity.
    /// </summary>
    public static async Task<Result> RunAsync(
        WarmupTarget target, PlanStep[]? steps = null, Action<IServiceCollection>? configure = null, PlanSpec? plan = null, ActivityJournal? journal = null)
    {
        var sink = new CollectingSink();
        await using var host = await WarmupHost.StartAsync(new InMemoryTargetCatalog(target), [sink], journal, configure);
        var request = new WarmupRequest(target.Name, WarmupReasons.Manual, plan ?? PlanSpec.FromSteps("faults", steps ?? ThreeLevels), "corr-" + Guid.NewGuid().ToString("N"), Threshold);
        var clock = Stopwatch.StartNew();
        var (report, _) = await WarmupHost.RunAsync(host, request);
        clock.Stop();
        Assert.Equal(report.Outcome, Assert.Single(sink.Reports).Outcome);
        return new Result(report, clock.Elapsed);
    }

    /// <summary>
    /// A journal that replaces the simulator by a new process, too fast for a request to fail
    /// (<see cref="SimulatorHost.RestartUnseen"/>), as each of the given load readings (1-based) starts.
    /// </summary>
    public static ActivityJournal RestartAtReadings(SimulatorHost simulator, params int[] readings)
    {
        var count = 0;
        return new ActivityJournal
        {
            Fault = (name, _, _) =>
            {
                if (name == TaskNames.ReadLoad && readings.Contains(Interlocked.Increment(ref count)))
                {
                    simulator.RestartUnseen();
                }

                return null;
            },
        };
    }

    public sealed record Result(WarmupReport Report, TimeSpan Wall);
}
