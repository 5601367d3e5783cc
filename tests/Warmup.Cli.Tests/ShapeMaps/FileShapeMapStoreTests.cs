using Warmup.Cli.ShapeMaps;
using Warmup.Core.ShapeMaps;
using Warmup.Core.Targets;

namespace Warmup.Cli.Tests.ShapeMaps;

public sealed class FileShapeMapStoreTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"warmup-maps-{Guid.NewGuid():n}");

    private static TargetCatalog Catalog(string baseUrl) => new([new WarmupTarget { Name = "endpoint", BaseUrl = new Uri(baseUrl), Model = "m" }]);

    private static ShapeMap Map(string target = "endpoint") => new(
        target, "m", 8192, [480, 960, 1440], 480, 32, [19, 20, 21], ["sql-lora"], new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero), 2) { Runs = 3 };

    [Fact]
    public async Task A_saved_map_reads_back_the_same()
    {
        var store = new FileShapeMapStore(_folder, Catalog("http://127.0.0.1:8000/"));

        await store.SaveAsync(Map(), CancellationToken.None);
        var read = await store.GetAsync("endpoint", CancellationToken.None);

        Assert.NotNull(read);
        Assert.Equal(Map().PromptLengths, read.PromptLengths);
        Assert.Equal(Map().BatchSizes, read.BatchSizes);
        Assert.Equal(Map() with { PromptLengths = read.PromptLengths, BatchSizes = read.BatchSizes, Adapters = read.Adapters }, read);
        Assert.StartsWith(_folder, store.PathFor("endpoint"), StringComparison.Ordinal);
        Assert.True(File.Exists(store.PathFor("endpoint")));
    }

    [Fact]
    public async Task Two_ad_hoc_endpoints_of_the_same_name_never_share_a_map()
    {
        var first = new FileShapeMapStore(_folder, Catalog("http://127.0.0.1:8000/"));
        var second = new FileShapeMapStore(_folder, Catalog("http://127.0.0.1:9000/"));

        await first.SaveAsync(Map(), CancellationToken.None);

        Assert.NotEqual(first.PathFor("endpoint"), second.PathFor("endpoint"));
        Assert.Null(await second.GetAsync("endpoint", CancellationToken.None));
    }

    [Fact]
    public async Task An_unreadable_file_is_no_map_and_delete_removes_it()
    {
        var store = new FileShapeMapStore(_folder, Catalog("http://127.0.0.1:8000/"));
        Directory.CreateDirectory(_folder);
        await File.WriteAllTextAsync(store.PathFor("endpoint"), "{ not json");

        Assert.Null(await store.GetAsync("endpoint", CancellationToken.None));
        await store.DeleteAsync("endpoint", CancellationToken.None);
        Assert.False(File.Exists(store.PathFor("endpoint")));
    }

    [Fact]
    public async Task A_file_written_before_the_kv_footprint_and_runs_fields_reads_as_keeping_the_burst_after_one_run()
    {
        var store = new FileShapeMapStore(_folder, Catalog("http://127.0.0.1:8000/"));
        await store.SaveAsync(Map(), CancellationToken.None);
        var json = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(store.PathFor("endpoint")))!;
        Assert.True(json.AsObject().Remove("kvFootprint"));
        Assert.True(json.AsObject().Remove("runs"));
        await File.WriteAllTextAsync(store.PathFor("endpoint"), json.ToJsonString());

        var read = await store.GetAsync("endpoint", CancellationToken.None);

        Assert.NotNull(read);
        Assert.True(read.KvFootprint);
        Assert.Equal(1, read.Runs);
        Assert.Equal(Map().PromptLengths, read.PromptLengths);
    }

    [Fact]
    public async Task A_file_of_a_changed_format_is_no_map()
    {
        var store = new FileShapeMapStore(_folder, Catalog("http://127.0.0.1:8000/"));
        Directory.CreateDirectory(_folder);
        await File.WriteAllTextAsync(store.PathFor("endpoint"), """{"target":"endpoint","model":"m","promptLengths":{"buckets":[512]},"staircaseTop":"32"}""");

        Assert.Null(await store.GetAsync("endpoint", CancellationToken.None));
    }

    [Fact]
    public void The_default_folder_follows_XDG_CACHE_HOME_on_this_platform()
    {
        var folder = FileShapeMapStore.DefaultFolder();

        Assert.EndsWith(Path.Combine("warmup", "shape-maps"), folder, StringComparison.Ordinal);
        if (Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg)
        {
            Assert.StartsWith(xdg, folder, StringComparison.Ordinal);
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
