using Warmup.Core.Dialects;
using Warmup.Core.Probing;
using Warmup.Core.Targets;
using Warmup.Simulator;

namespace Warmup.Integration.Tests.Dialects;

/// <summary>Two deployments behind one simulated endpoint, each with its own cold state: the header decides which one warms.</summary>
public sealed class AzureMlDeploymentTests
{
    [Theory]
    [InlineData("green", "blue")]
    [InlineData("blue", "green")]
    public async Task The_deployment_header_reaches_only_the_named_deployment(string warmed, string untouched)
    {
        await using var sim = await FamilySimulator.StartAsync(ServerFamily.AzureMl, apiKey: "k");
        using var http = FamilySimulator.Client();
        var probe = new StreamingProbe(http, new EnvironmentApiKeyAuthenticator(name => name == "SIM_KEY" ? "k" : null));
        var target = FamilySimulator.Target(sim, DialectNames.AzureMl, deployment: warmed, api: OpenAiApis.Chat);

        var result = await probe.SendAsync(target, DialectRegistry.Default.Get(DialectNames.AzureMl), new GenerationRequest("hello there", 4), "c", CancellationToken.None);

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(4, result.OutputTokens);
        Assert.True(sim.DeploymentState(warmed).Initialised);
        Assert.False(sim.DeploymentState(untouched).Initialised);
    }

    [Fact]
    public async Task Template_payload_to_score_is_judged_on_end_to_end_latency()
    {
        await using var sim = await FamilySimulator.StartAsync(ServerFamily.AzureMl, apiKey: "k");
        using var http = FamilySimulator.Client();
        var probe = new StreamingProbe(http, new EnvironmentApiKeyAuthenticator(name => name == "SIM_KEY" ? "k" : null));
        var target = FamilySimulator.Target(sim, DialectNames.AzureMl, deployment: "green") with
        {
            Api = OpenAiApis.Template,
            RequestTemplate = """{"input_data":{"prompt":"{{prompt}}","max_tokens":"{{max_tokens}}"}}""",
        };
        var dialect = (Warmup.Core.Dialects.AzureMl.AzureMlDialect)DialectRegistry.Default.Get(DialectNames.AzureMl);

        var result = await probe.SendAsync(target, dialect, new GenerationRequest("hello there", 5), "c", CancellationToken.None);
        var capacity = await dialect.GetCapacityAsync(http, target, CancellationToken.None);

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(5, result.OutputTokens);
        Assert.True(result.TokensFromServer);
        // One piece: the first token is the whole answer.
        Assert.Equal(result.TtftMs, result.E2eMs);
        Assert.Contains("judged on end-to-end latency", capacity!.Note);
        Assert.True(sim.DeploymentState("green").Initialised);
    }

    [Fact]
    public async Task Wrong_key_is_a_401_explained()
    {
        await using var sim = await FamilySimulator.StartAsync(ServerFamily.AzureMl, apiKey: "k");
        using var http = FamilySimulator.Client();
        var probe = new StreamingProbe(http, new EnvironmentApiKeyAuthenticator(_ => "wrong"));

        var result = await probe.SendAsync(
            FamilySimulator.Target(sim, DialectNames.AzureMl, deployment: "blue"), DialectRegistry.Default.Get(DialectNames.AzureMl),
            new GenerationRequest("hello", 2), "c", CancellationToken.None);

        Assert.Equal(401, result.StatusCode);
        Assert.Contains("key or token was refused", result.Error);
    }
}
