using Warmup.Core.Dialects;
using Warmup.Core.Dialects.Auto;
using Warmup.Simulator;

namespace Warmup.Integration.Tests.Dialects;

/// <summary>dialect auto against each simulated family, and the mismatch message for a wrong configured dialect.</summary>
public sealed class DetectionTests
{
    [Theory]
    [InlineData(ServerFamily.Vllm, "vllm", DialectNames.OpenAi, "/v1/models owned_by vllm")]
    [InlineData(ServerFamily.Tgi, "tgi", DialectNames.Tgi, "text-generation-router")]
    [InlineData(ServerFamily.Sglang, "sglang", DialectNames.Sglang, "model_path")]
    [InlineData(ServerFamily.LlamaCpp, "llamacpp", DialectNames.LlamaCpp, "/props")]
    [InlineData(ServerFamily.Ollama, "ollama", DialectNames.Ollama, "Ollama is running")]
    [InlineData(ServerFamily.Triton, "triton", DialectNames.Triton, "GET /v2")]
    public async Task Auto_names_the_family_and_picks_its_native_dialect(string family, string expectedFamily, string expectedDialect, string evidence)
    {
        await using var sim = await FamilySimulator.StartAsync(family);
        using var http = FamilySimulator.Client();
        var registry = new DialectRegistry(DialectRegistry.Default.Names.Where(n => n != DialectNames.Auto).Select(DialectRegistry.Default.Get));

        var found = await registry.DetectAsync(FamilySimulator.Target(sim, DialectNames.Auto), http, TimeSpan.FromSeconds(10), TimeProvider.System, CancellationToken.None);
        var dialect = await registry.ResolveAsync(FamilySimulator.Target(sim, DialectNames.Auto), http, CancellationToken.None);

        Assert.Equal((expectedFamily, expectedDialect), (found.Family, found.Dialect));
        Assert.Contains(evidence, found.Evidence);
        Assert.Equal(expectedDialect, dialect.Name);
    }

    [Fact]
    public async Task LlamaCpp_still_loading_is_recognised_by_its_503()
    {
        await using var sim = await FamilySimulator.StartAsync(ServerFamily.LlamaCpp, startupDelayMs: 5000);
        using var http = FamilySimulator.Client();

        var seen = await DialectDetector.DetectOnceAsync(http, sim.BaseUrl, CancellationToken.None);

        Assert.False(sim.Loaded);
        Assert.Equal("llamacpp", seen.Server?.Family);
        Assert.Contains("Loading model", seen.Server!.Evidence);
    }

    [Fact]
    public async Task Auto_refuses_a_server_that_answers_without_saying_what_it_is()
    {
        // An Azure ML front end answers 401 on every route without a key: it says nothing about what runs behind it.
        await using var sim = await FamilySimulator.StartAsync(ServerFamily.AzureMl, apiKey: "k");
        using var http = FamilySimulator.Client();

        var error = await Assert.ThrowsAsync<DialectDetectionException>(() => DialectDetector.DetectAsync(
            http, FamilySimulator.Target(sim, DialectNames.Auto), TimeSpan.FromSeconds(5), TimeProvider.System, CancellationToken.None));

        Assert.Contains("cannot tell which server", error.Message);
        Assert.Contains("GET /v2 401", error.Message);
        Assert.Contains("set the dialect explicitly", error.Message);
    }

    [Fact]
    public async Task Auto_with_nothing_listening_says_so_after_its_deadline()
    {
        using var http = FamilySimulator.Client();
        var target = new Core.Targets.WarmupTarget { Name = "gone", BaseUrl = new Uri($"http://127.0.0.1:{FreePort()}/"), Model = "m", Dialect = DialectNames.Auto };

        var error = await Assert.ThrowsAsync<DialectDetectionException>(() =>
            DialectDetector.DetectAsync(http, target, TimeSpan.FromSeconds(1), TimeProvider.System, CancellationToken.None));

        Assert.Contains("found nothing answering", error.Message);
    }

    [Theory]
    [InlineData(ServerFamily.Ollama, DialectNames.Tgi, "looks like ollama", "use dialect 'ollama'")]
    [InlineData(ServerFamily.Tgi, DialectNames.LlamaCpp, "looks like tgi", "use dialect 'tgi'")]
    [InlineData(ServerFamily.Vllm, DialectNames.Sglang, "looks like vllm", "use dialect 'openai'")]
    public async Task A_configured_dialect_the_server_does_not_speak_is_one_clear_message(string family, string configured, string looksLike, string advice)
    {
        await using var sim = await FamilySimulator.StartAsync(family);
        using var http = FamilySimulator.Client();

        var (dialect, problem) = await new DialectCheck(DialectRegistry.Default, http, TimeProvider.System)
            .ResolveAsync(FamilySimulator.Target(sim, configured), CancellationToken.None);

        Assert.Null(dialect);
        Assert.Contains($"configured with dialect '{configured}'", problem);
        Assert.Contains(looksLike, problem);
        Assert.Contains(advice, problem);
    }

    [Theory]
    [InlineData(ServerFamily.Tgi, DialectNames.OpenAi)]
    [InlineData(ServerFamily.LlamaCpp, DialectNames.LlamaCpp)]
    [InlineData(ServerFamily.Vllm, DialectNames.VllmGenerate)]
    public async Task A_dialect_the_server_does_speak_passes(string family, string configured)
    {
        await using var sim = await FamilySimulator.StartAsync(family);
        using var http = FamilySimulator.Client();

        var (dialect, problem) = await new DialectCheck(DialectRegistry.Default, http, TimeProvider.System)
            .ResolveAsync(FamilySimulator.Target(sim, configured), CancellationToken.None);

        Assert.Null(problem);
        Assert.Equal(configured, dialect!.Name);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
