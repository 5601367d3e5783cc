using Warmup.Core.Dialects;
using Warmup.Core.Probing;
using Warmup.Core.Readiness;
using Warmup.Core.Targets;
using Warmup.Simulator;

namespace Warmup.Integration.Tests.Dialects;

/// <summary>
/// Readiness per family over loopback: while the simulator models the load, the family's own "not yet" answer is seen
/// (and kept as the last error), then the gate opens. The families that refuse connections while loading (vLLM, TGI)
/// are covered by the existing readiness tests.
/// </summary>
public sealed class FamilyReadinessTests
{
    private static readonly ReadinessGateOptions Fast = new()
    {
        InitialDelay = TimeSpan.FromMilliseconds(50),
        MaxDelay = TimeSpan.FromMilliseconds(200),
        AttemptTimeout = TimeSpan.FromSeconds(2),
    };

    [Theory]
    [InlineData(ServerFamily.LlamaCpp, DialectNames.LlamaCpp, "/health", 503, "Loading model")]
    [InlineData(ServerFamily.Sglang, DialectNames.Sglang, "/health", 503, "HTTP 503")]
    [InlineData(ServerFamily.Triton, DialectNames.Triton, "/v2/models/meta-llama%2FLlama-3.1-8B-Instruct/ready", 400, "Model version not ready")]
    [InlineData(ServerFamily.Ollama, DialectNames.Ollama, "/api/tags", 200, "not listed")]
    public async Task Loading_then_ready(string family, string dialect, string probe, int loadingStatus, string loadingSign)
    {
        // Loading long enough that the first request of a fresh client lands inside it on a loaded machine.
        await using var sim = await FamilySimulator.StartAsync(family, startupDelayMs: 4000);
        using var http = FamilySimulator.Client();

        using var early = await http.GetAsync(new Uri(sim.BaseUrl, probe));
        var gate = new ReadinessGate(http, NoAuthentication.Instance, TimeProvider.System, Fast);
        var result = await gate.WaitAsync(FamilySimulator.Target(sim, dialect), DialectRegistry.Default.Get(dialect), TimeSpan.FromSeconds(20), CancellationToken.None);

        Assert.Equal(loadingStatus, (int)early.StatusCode);
        Assert.True(result.Ready, result.LastError);
        Assert.True(result.Attempts > 1, $"the gate opened at once ({result.Attempts} attempt): the loading phase was not seen");
        if (family == ServerFamily.Ollama)
        {
            // Ollama answers 200 at once; the model is simply not in /api/tags yet.
            Assert.DoesNotContain("meta-llama", await early.Content.ReadAsStringAsync());
        }
        else
        {
            Assert.Contains(loadingSign, result.LastError);
        }
    }

    [Fact]
    public async Task LlamaCpp_slots_cap_the_plan_concurrency_with_a_reason()
    {
        await using var sim = await SimulatorHost.StartAsync(
            new SimulatorOptions { Family = ServerFamily.LlamaCpp, Profile = FamilySimulator.Profile(), LlamaCppSlots = 3 }, CancellationToken.None);
        using var http = FamilySimulator.Client();

        var capacity = await new Warmup.Core.Dialects.LlamaCpp.LlamaCppDialect().GetCapacityAsync(http, FamilySimulator.Target(sim, DialectNames.LlamaCpp), CancellationToken.None);

        Assert.Equal(3, capacity!.MaxConcurrency);
        Assert.Contains("3 slot(s)", capacity.Note);
    }

    [Fact]
    public async Task Azureml_unknown_deployment_ends_readiness_at_once_with_the_404_explained()
    {
        await using var sim = await FamilySimulator.StartAsync(ServerFamily.AzureMl, apiKey: "k");
        using var http = FamilySimulator.Client();
        var auth = new EnvironmentApiKeyAuthenticator(name => name == "SIM_KEY" ? "k" : null);
        var gate = new ReadinessGate(http, auth, TimeProvider.System, Fast);

        var result = await gate.WaitAsync(
            FamilySimulator.Target(sim, DialectNames.AzureMl, deployment: "purple"), DialectRegistry.Default.Get(DialectNames.AzureMl),
            TimeSpan.FromSeconds(20), CancellationToken.None);

        Assert.False(result.Ready);
        Assert.Equal(1, result.Attempts);
        Assert.Contains("HTTP 404", result.LastError);
        Assert.Contains("no deployment named 'purple'", result.LastError);
    }
}
