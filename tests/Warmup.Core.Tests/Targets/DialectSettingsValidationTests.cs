using Warmup.Core.Dialects;
using Warmup.Core.Targets;

namespace Warmup.Core.Tests.Targets;

/// <summary>The targets-file settings of the native dialects: one clear problem per mistake, the rest of the file still loads.</summary>
public sealed class DialectSettingsValidationTests
{
    private static TargetCatalog Parse(string target) => TargetCatalog.Parse($$"""{ "targets": [ {{target}} ] }""", "test");

    [Fact]
    public void Azureml_without_key_or_token_is_refused_with_both_options_named()
    {
        var catalog = Parse("""{"name":"aml","baseUrl":"https://ep.swedencentral.inference.ml.azure.com","dialect":"azureml","model":"phi-4"}""");

        Assert.Empty(catalog.Targets);
        var problem = Assert.Single(catalog.Problems);
        Assert.Contains("auth.apiKeySetting", problem);
        Assert.Contains("https://ml.azure.com/.default", problem);
    }

    [Fact]
    public void Azureml_with_a_control_plane_scope_is_refused()
    {
        var catalog = Parse("""{"name":"aml","baseUrl":"https://ep.x.inference.ml.azure.com","dialect":"azureml","model":"phi-4","auth":{"entraScope":"https://management.azure.com/.default"}}""");

        Assert.Contains("not the Azure ML scoring audience", Assert.Single(catalog.Problems));
    }

    [Fact]
    public void Azureml_template_target_loads_with_its_settings_and_deployment_runs_resolve_by_name()
    {
        var catalog = Parse("""
            {"name":"aml","baseUrl":"https://ep.x.inference.ml.azure.com","dialect":"azureml","model":"phi-4","api":"template",
             "requestTemplate":{"input_data":{"prompt":"{{prompt}}","max_tokens":"{{max_tokens}}"}},
             "azureMl":{"maxConcurrentRequestsPerInstance":2,"instanceCount":2,"requestTimeoutMs":90000},
             "auth":{"entraScope":"https://ml.azure.com/.default"},
             "eventRules":[{"resourceIdPrefix":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w/onlineEndpoints/ep","warmBeforeTraffic":true}]}
            """);

        var target = Assert.Single(catalog.Targets);
        Assert.Equal(2, target.AzureMl.MaxConcurrentRequestsPerInstance);
        Assert.Contains("{{max_tokens}}", target.RequestTemplate);
        Assert.True(target.EventRules[0].WarmBeforeTraffic);
        Assert.True(catalog.TryGet("aml@green", out var green));
        Assert.Equal(("aml@green", "green"), (green.Name, green.Auth.AzureMlDeployment));
        Assert.False(catalog.TryGet("aml@not a name", out _));
        Assert.True(TargetCatalog.IsValidName("aml@green"));
    }

    [Fact]
    public void Deployment_names_only_resolve_for_azureml_targets()
    {
        var catalog = Parse("""{"name":"vllm","baseUrl":"http://10.0.0.4:8000","model":"m"}""");

        Assert.False(catalog.TryGet("vllm@green", out _));
    }

    [Theory]
    [InlineData("""{"name":"t","baseUrl":"http://h:8000","dialect":"triton","model":"m","requestTemplate":{"text_input":"{{prompt}}"}}""", "requestTemplate must use \"{{max_tokens}}\"")]
    [InlineData("""{"name":"t","baseUrl":"http://h:8000","dialect":"openai","model":"m","requestTemplate":{"p":"{{prompt}}","n":"{{max_tokens}}"}}""", "requestTemplate is used by the triton dialect")]
    [InlineData("""{"name":"t","baseUrl":"http://h:8000","dialect":"triton","model":"m","metricsUrl":"ftp://h:8002/metrics"}""", "metricsUrl must be an absolute http(s) URL")]
    [InlineData("""{"name":"t","baseUrl":"http://h:8000","dialect":"tgi","model":"m","azureMl":{"instanceCount":2}}""", "azureMl settings apply to the azureml dialect only")]
    [InlineData("""{"name":"t","baseUrl":"http://h:8000","dialect":"tgi","model":"m","api":"template"}""", "api 'template' is not known")]
    public void Misplaced_dialect_settings_are_named(string target, string problem)
    {
        Assert.Contains(problem, Assert.Single(Parse(target).Problems));
    }

    [Fact]
    public void Triton_with_a_metrics_url_and_auto_load()
    {
        var catalog = Parse("""
            {"name":"t","baseUrl":"http://h:8000","dialect":"triton","model":"m","metricsUrl":"http://h:8002/metrics"},
            {"name":"a","baseUrl":"http://h:9000","dialect":"auto","model":"m"}
            """);

        Assert.Equal(new Uri("http://h:8002/metrics"), catalog.Targets[0].MetricsUrl);
        Assert.Equal(DialectNames.Auto, catalog.Targets[1].Dialect);
        Assert.Empty(catalog.Problems);
    }
}
