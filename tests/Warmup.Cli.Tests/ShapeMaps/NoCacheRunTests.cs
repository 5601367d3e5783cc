using Warmup.Simulator;

namespace Warmup.Cli.Tests.ShapeMaps;

/// <summary>
/// `warmup run --no-cache` with the real executable against the simulator: the shape map in the user's cache folder
/// ($XDG_CACHE_HOME, a fresh folder per test) is neither read nor written. Runs without the option on the same folder
/// show both would have happened.
/// </summary>
public sealed class NoCacheRunTests : CliRunAgainstSimulator
{
    private string MapFolder => Path.Combine(Cache, "warmup", "shape-maps");

    // A small, quick server: the test is about the cache folder, not about warmth.
    protected override SimulatorProfile Profile => SimulatorProfile.Default with { TimeScale = 0.02, StartupDelayMs = 0, MaxModelLen = 2048, PrefillBuckets = [128, 512, 2048] };

    [Fact]
    public async Task With_no_cache_the_map_is_neither_written_nor_read()
    {
        // No map yet: --no-cache writes none and says nothing about one.
        var (ignored, ignoredFromMap) = await RunAsync(noCache: true);
        Assert.False(ignoredFromMap, WarmupBinary.Describe(ignored));
        Assert.DoesNotContain("Shape map:", ignored.Output);
        Assert.Empty(CacheFiles());

        // Without it the run keeps its map there and prints the path.
        var (learned, learnedFromMap) = await RunAsync(noCache: false);
        Assert.False(learnedFromMap, WarmupBinary.Describe(learned));
        var file = Assert.Single(MapFiles());
        Assert.Contains($"Shape map: {file}", learned.Output.Replace("\n", "", StringComparison.Ordinal));
        var kept = await File.ReadAllTextAsync(file);
        var keptAt = File.GetLastWriteTimeUtc(file);

        // With the map there, --no-cache does not start from it and leaves the file as it was.
        var (again, againFromMap) = await RunAsync(noCache: true);
        Assert.False(againFromMap, WarmupBinary.Describe(again));
        Assert.Equal(kept, await File.ReadAllTextAsync(file));
        Assert.Equal(keptAt, File.GetLastWriteTimeUtc(file));

        // Without the option the same folder's map is read: round 1 starts from it.
        var (reused, reusedFromMap) = await RunAsync(noCache: false);
        Assert.True(reusedFromMap, WarmupBinary.Describe(reused));
    }

    private IReadOnlyList<string> CacheFiles() => Directory.Exists(MapFolder) ? Directory.GetFiles(MapFolder) : [];

    // The users' traffic seen at the run's start is kept beside the map (Traffic/TrafficShapedCliRunTests).
    private IReadOnlyList<string> MapFiles() => CacheFiles().Where(f => !f.EndsWith(Warmup.Cli.Traffic.FileTrafficStore.Extension, StringComparison.Ordinal)).ToList();

    /// <summary>One adaptive run with the test's cache folder; whether its round 1 started from a shape map (the JSON report says).</summary>
    private async Task<(CliResult Result, bool FromShapeMap)> RunAsync(bool noCache)
    {
        var (result, report) = await RunAdaptiveAsync(noCache ? ["--no-cache"] : []);
        Assert.True(report.Adaptive is not null, WarmupBinary.Describe(result));
        return (result, report.Adaptive.FromShapeMap);
    }
}
