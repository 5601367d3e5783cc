using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Reporting;
using Warmup.Simulator;

namespace Warmup.Integration.Tests.Orchestration;

/// <summary>
/// Users call LoRA adapters too: verification sends a first-user-like probe to every adapter the target serves. Runs the
/// real orchestration against the real simulator's lora profile (adapters sql-lora, chat-lora, code-lora); assertions
/// use the simulator's log (which penalties each request paid), not timings.
/// </summary>
public sealed class AdapterVerificationTests
{
    private static readonly string[] Adapters = ["sql-lora", "chat-lora", "code-lora"];

    [Fact]
    public async Task Verification_probes_every_adapter_and_an_adapter_left_cold_makes_the_run_not_warm()
    {
        await using var simulator = await StartSimulatorAsync();
        var sink = new CollectingSink();
        await using var host = await WarmupHost.StartAsync(new InMemoryTargetCatalog(Target(simulator)), [sink]);

        // Warms the base model only.
        var (report, _) = await WarmupHost.RunAsync(host, Request(PlanSpec.FromSteps("base-only", [new PlanStep(64, 8, 1)])));

        Assert.True(report.Outcome == RunOutcomes.NotWarm, $"{report.Outcome}: {report.Verdict?.Reason}");
        var verification = VerificationRecords(simulator, report);
        foreach (var adapter in Adapters)
        {
            var probes = verification.Where(r => r.Adapter == adapter).ToList();
            Assert.Equal(1 + VerificationPlan.DefaultSteadyRepeats, probes.Count);
            Assert.Contains(probes[0].Penalties, p => p.Name == $"lora:{adapter}" && p.BeforeFirstToken);
            Assert.Contains($"adapter '{adapter}'", report.Verdict!.Reason);
        }

        Assert.Equal(report.Verdict!.ByLength.Select(l => l.PromptTokens), report.FirstUserLike!.PromptLengths);
    }

    [Fact]
    public async Task Adapters_the_plan_warmed_are_not_cold_in_verification()
    {
        await using var simulator = await StartSimulatorAsync();
        await using var host = await WarmupHost.StartAsync(new InMemoryTargetCatalog(Target(simulator)), [new CollectingSink()]);
        var steps = Adapters.Select(a => new PlanStep(32, 8, 1, a)).ToList();

        var (report, _) = await WarmupHost.RunAsync(host, Request(PlanSpec.FromSteps("adapters", steps)));

        var verification = VerificationRecords(simulator, report);
        Assert.Equal(Adapters.Order(), verification.Select(r => r.Adapter).OfType<string>().Distinct().Order());
        Assert.DoesNotContain(verification.SelectMany(r => r.Penalties), p => p.Name.StartsWith("lora:", StringComparison.Ordinal));
        var plan = simulator.Log.Snapshot().Take(Adapters.Length).ToList();
        Assert.All(Adapters, a => Assert.Contains(plan, r => r.Adapter == a && r.Penalties.Any(p => p.Name == $"lora:{a}")));
    }

    private static async Task<SimulatorHost> StartSimulatorAsync()
    {
        // Adapter loads of 1 s at this time scale: the cold paths these tests are about stand far above the stalls of a
        // loaded CI machine (there a run with 200 ms loads once read warm: their excess fell within that run's own noise),
        // while the base model's requests stay short.
        var lora = SimulatorProfile.Builtin("lora");
        var profile = lora with
        {
            TimeScale = 0.2,
            StartupDelayMs = 0,
            LoraAdapters = lora.LoraAdapters.Select(a => a with { LoadMs = 5000 }).ToList(),
        };
        return await SimulatorHost.StartAsync(new SimulatorOptions { Profile = profile });
    }

    private static Core.Targets.WarmupTarget Target(SimulatorHost simulator)
        => WarmupHost.Target("lora", simulator.BaseUrl) with { Model = simulator.Profile.Model, Adapters = Adapters };

    private static WarmupRequest Request(PlanSpec plan) => new("lora", WarmupReasons.Manual, plan, "corr-lora", 1.5);

    // Verification runs one request at a time after the plan, so its requests are the log's last ones.
    private static List<RequestRecord> VerificationRecords(SimulatorHost simulator, WarmupReport report)
    {
        var count = report.FirstUserLike!.Requests + report.Steady!.Requests;
        Assert.Equal((5 + Adapters.Length) * (1 + VerificationPlan.DefaultSteadyRepeats), count);
        return simulator.Log.Snapshot().OrderBy(r => r.Sequence).TakeLast(count).ToList();
    }
}
