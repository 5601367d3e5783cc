using Warmup.Core.Dialects;
using Warmup.Core.Targets;
using Warmup.Functions.Events;
using Warmup.Functions.Tests.Support;

namespace Warmup.Functions.Tests.Events.AzureMl;

/// <summary>Blue/green: an ARM write on a deployment warms exactly that deployment; a write on the endpoint (traffic shift) does not.</summary>
public sealed class AzureMlRolloutEventTests
{
    private const string Endpoint =
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-llm/providers/Microsoft.MachineLearningServices/workspaces/ws/onlineEndpoints/phi";

    private static readonly TargetCatalog Catalog = new([
        TestTargets.Target("aml-phi", new EventMatchRule { ResourceIdPrefix = Endpoint, WarmBeforeTraffic = true }) with
        {
            Dialect = DialectNames.AzureMl,
            Auth = new TargetAuth { EntraScope = "https://ml.azure.com/.default" },
        },
    ]);

    private static string Read(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Events", "AzureMl", file));

    [Fact]
    public async Task Deployment_write_starts_a_run_of_exactly_that_deployment()
    {
        var fx = new TriggerFixture(Catalog);

        var summary = (await fx.Queue().HandleAsync(Read("deployment-write.eventgrid.json"), fx.Durable.Client, CancellationToken.None)).Summary!;

        Assert.Equal(1, summary.Started);
        var scheduled = Assert.Single(fx.Durable.Scheduled);
        Assert.Equal("aml-phi@green", scheduled.Request.Target);
        Assert.Equal("warmup-aml-phi@green", scheduled.InstanceId);
        Assert.True(Catalog.TryGet(scheduled.Request.Target, out var run));
        Assert.Equal("green", run.Auth.AzureMlDeployment);
    }

    [Fact]
    public async Task Endpoint_write_is_a_traffic_shift_and_warms_nothing()
    {
        var fx = new TriggerFixture(Catalog);

        var summary = (await fx.Queue().HandleAsync(Read("endpoint-write.eventgrid.json"), fx.Durable.Client, CancellationToken.None)).Summary!;

        Assert.Equal(1, summary.Ignored);
        Assert.Empty(fx.Durable.Scheduled);
        var outcome = Assert.Single(summary.Events);
        Assert.Equal(IgnoreReasons.EndpointWrite, outcome.Reason);
        Assert.Contains("traffic shift", outcome.Detail);
    }
}

/// <summary>The manual API takes the deployment as part of the target name.</summary>
public sealed class AzureMlManualRunTests
{
    [Fact]
    public async Task Post_for_endpoint_at_deployment_starts_that_deployment_and_an_unknown_form_is_404()
    {
        var catalog = new TargetCatalog([
            TestTargets.Target("aml-phi") with { Dialect = DialectNames.AzureMl, Auth = new TargetAuth { ApiKeySetting = "AML_KEY" } },
            TestTargets.Target("vllm-a"),
        ]);
        var fx = new TriggerFixture(catalog);

        var started = await fx.Api().Start(Http.Request("POST", "/api/warmups/aml-phi@green", null), "aml-phi@green", fx.Durable.Client, CancellationToken.None);
        var notAzureMl = await fx.Api().Start(Http.Request("POST", "/api/warmups/vllm-a@green", null), "vllm-a@green", fx.Durable.Client, CancellationToken.None);

        Assert.IsType<Microsoft.AspNetCore.Mvc.AcceptedResult>(started);
        Assert.Equal("warmup-aml-phi@green", Assert.Single(fx.Durable.Scheduled).InstanceId);
        Assert.Equal(404, Assert.IsAssignableFrom<Microsoft.AspNetCore.Mvc.Infrastructure.IStatusCodeActionResult>(notAzureMl).StatusCode);
    }
}
