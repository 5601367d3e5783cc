using Warmup.Core.Reporting;
using Warmup.Simulator;

namespace Warmup.Cli.Tests;

/// <summary>
/// A test class that runs the real `warmup` executable against its own simulator, with a cache folder of its own
/// (pass it as XDG_CACHE_HOME), deleted afterwards.
/// </summary>
public abstract class CliRunAgainstSimulator : IAsyncLifetime, IDisposable
{
    protected string Cache { get; } = Path.Combine(Path.GetTempPath(), $"warmup-cache-{Guid.NewGuid():n}");

    protected SimulatorHost Simulator { get; private set; } = null!;

    /// <summary>The simulator's profile (a small, quick server is usually enough).</summary>
    protected abstract SimulatorProfile Profile { get; }

    /// <summary>
    /// `warmup run --plan adaptive` against the simulator with this test's cache folder (<paramref name="options"/>
    /// added), and the report it wrote; fails the test when it wrote none.
    /// </summary>
    private protected async Task<(CliResult Result, WarmupReport Report)> RunAdaptiveAsync(params string[] options)
    {
        var json = Path.Combine(Cache, $"report-{Guid.NewGuid():n}.json");
        Directory.CreateDirectory(Cache);
        var result = await WarmupBinary.RunPipedAsync(
            new Dictionary<string, string> { ["XDG_CACHE_HOME"] = Cache },
            ["run", "--endpoint", Simulator.BaseUrl.ToString(), "--model", Simulator.Profile.Model, "--plan", "adaptive",
             "--max-concurrency", "4", "--ready-timeout", "30", "--json", json, .. options]);
        Assert.True(File.Exists(json), WarmupBinary.Describe(result));
        return (result, ReportJson.Deserialize(await File.ReadAllTextAsync(json)));
    }

    public async Task InitializeAsync()
        => Simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = Profile, Port = 0 }, CancellationToken.None);

    public async Task DisposeAsync() => await Simulator.DisposeAsync();

    public void Dispose()
    {
        if (Directory.Exists(Cache))
        {
            Directory.Delete(Cache, recursive: true);
        }

        GC.SuppressFinalize(this);
    }
}
