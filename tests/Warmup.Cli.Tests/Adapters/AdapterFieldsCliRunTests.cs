using Warmup.Cli.Tests.Traffic;
using Warmup.Core.Reporting;
using Warmup.Simulator;

namespace Warmup.Cli.Tests.Adapters;

/// <summary>
/// `warmup run` with the real executable against the simulator's lora profile, holding 2 adapters at once while it
/// serves 3, none configured: users called code-lora, so the run's check of /metrics learns the capacity (max_lora)
/// and which adapter users use; the report's adapters field then names the discovered ones, the warmed ones (code-lora
/// first) and the one left out, and the server never received a warm-up request for it.
/// </summary>
public sealed class AdapterFieldsCliRunTests : CliRunAgainstSimulator
{
    protected override SimulatorProfile Profile => SimulatorProfile.Builtin("lora") with { MaxLoras = 2, TimeScale = 0.02, StartupDelayMs = 0, MaxModelLen = 4096 };

    [Fact]
    public async Task Discovered_adapters_beyond_the_servers_capacity_are_reported_as_left_out()
    {
        await SimulatedUsers.SendAsync(Simulator.BaseUrl, "code-lora", 100, 100);
        var users = Simulator.Log.Count;

        var (result, report) = await RunAdaptiveAsync();

        var adapters = report.Adapters;
        Assert.NotNull(adapters);
        Assert.Empty(adapters.Configured);
        Assert.Equal(["sql-lora", "chat-lora", "code-lora"], adapters.Discovered);
        Assert.Equal(2, adapters.Capacity);
        Assert.Equal(["code-lora", "sql-lora"], adapters.Warmed);
        Assert.Equal(["chat-lora"], adapters.LeftOut);
        Assert.Contains(
            "Adapters: warmed code-lora, sql-lora (0 configured, 3 discovered from /v1/models); left out chat-lora: the server holds 2 at once",
            result.Output.Replace("\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        var sent = Simulator.Log.Snapshot().OrderBy(r => r.Sequence).Skip(users).ToList();
        Assert.Contains(sent, r => r.Adapter == "sql-lora");
        Assert.DoesNotContain(sent, r => r.Adapter == "chat-lora");
    }
}
