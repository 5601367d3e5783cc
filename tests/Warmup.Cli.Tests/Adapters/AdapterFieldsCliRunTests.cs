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
public sealed class AdapterFieldsCliRunTests : IAsyncLifetime, IDisposable
{
    private readonly string _cache = Path.Combine(Path.GetTempPath(), $"warmup-cache-{Guid.NewGuid():n}");
    private SimulatorHost _simulator = null!;

    public async Task InitializeAsync() => _simulator = await SimulatorHost.StartAsync(
        new SimulatorOptions { Profile = SimulatorProfile.Builtin("lora") with { MaxLoras = 2, TimeScale = 0.02, StartupDelayMs = 0, MaxModelLen = 4096 }, Port = 0 },
        CancellationToken.None);

    public async Task DisposeAsync() => await _simulator.DisposeAsync();

    public void Dispose()
    {
        if (Directory.Exists(_cache))
        {
            Directory.Delete(_cache, recursive: true);
        }
    }

    [Fact]
    public async Task Discovered_adapters_beyond_the_servers_capacity_are_reported_as_left_out()
    {
        await SimulatedUsers.SendAsync(_simulator.BaseUrl, "code-lora", 100, 100);
        var users = _simulator.Log.Count;
        var json = Path.Combine(_cache, "report.json");
        Directory.CreateDirectory(_cache);

        var result = await WarmupBinary.RunPipedAsync(
            new Dictionary<string, string> { ["XDG_CACHE_HOME"] = _cache },
            "run", "--endpoint", _simulator.BaseUrl.ToString(), "--model", _simulator.Profile.Model, "--plan", "adaptive",
            "--max-concurrency", "4", "--ready-timeout", "30", "--json", json);

        Assert.True(File.Exists(json), WarmupBinary.Describe(result));
        var adapters = ReportJson.Deserialize(await File.ReadAllTextAsync(json)).Adapters;
        Assert.NotNull(adapters);
        Assert.Empty(adapters.Configured);
        Assert.Equal(["sql-lora", "chat-lora", "code-lora"], adapters.Discovered);
        Assert.Equal(2, adapters.Capacity);
        Assert.Equal(["code-lora", "sql-lora"], adapters.Warmed);
        Assert.Equal(["chat-lora"], adapters.LeftOut);
        Assert.Contains(
            "Adapters: warmed code-lora, sql-lora (0 configured, 3 discovered from /v1/models); left out chat-lora: the server holds 2 at once",
            result.Output.Replace("\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        var sent = _simulator.Log.Snapshot().OrderBy(r => r.Sequence).Skip(users).ToList();
        Assert.Contains(sent, r => r.Adapter == "sql-lora");
        Assert.DoesNotContain(sent, r => r.Adapter == "chat-lora");
    }
}
