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
