using System.Text;
using Warmup.Core.Adapters;
using Warmup.Core.Targets;

namespace Warmup.Core.Tests.Adapters;

public sealed class AdapterSelectionTests
{
    [Fact]
    public void Entries_whose_parent_is_the_model_are_its_adapters()
    {
        // vLLM's shape: the base model (parent null) and each LoRA module with the base model as parent.
        var json = """
            {"object":"list","data":[
              {"id":"base","object":"model","root":"base","parent":null},
              {"id":"sql","object":"model","root":"/a/sql","parent":"base"},
              {"id":"other-base-lora","object":"model","root":"/a/x","parent":"another-model"},
              {"id":"chat","object":"model","root":"/a/chat","parent":"base"}]}
            """;

        Assert.Equal(["sql", "chat"], AdapterDiscovery.Read(Encoding.UTF8.GetBytes(json), "base"));
        Assert.Empty(AdapterDiscovery.Read("not json"u8, "base"));
        Assert.Empty(AdapterDiscovery.Read("""{"data":{}}"""u8, "base"));
    }

    [Fact]
    public void Only_dialects_that_address_an_adapter_by_model_name_discover_them()
    {
        var target = new WarmupTarget { Name = "t", BaseUrl = new Uri("http://127.0.0.1:1/"), Model = "m" };

        Assert.True(AdapterDiscovery.Applies(target));
        Assert.False(AdapterDiscovery.Applies(target with { Dialect = "tgi" }));
    }

    [Fact]
    public void Without_a_capacity_every_adapter_is_warmed_configured_first()
    {
        var selection = AdapterSelection.Choose(["b"], ["a", "b", "c"], [], capacity: null);

        Assert.Equal(["b", "a", "c"], selection.Warmed);
        Assert.Equal(["a", "c"], selection.Discovered);
        Assert.Empty(selection.LeftOut);
        Assert.Equal("adapters listed by the server's /v1/models and warmed without being configured: a, c", Assert.Single(selection.Notes()));
    }

    [Fact]
    public void Beyond_the_capacity_the_most_used_are_warmed_and_the_rest_named()
    {
        var selection = AdapterSelection.Choose(["a", "b"], ["a", "b", "c", "d"], byUse: ["d", "zz-gone", "b"], capacity: 3);

        Assert.Equal(["d", "b", "a"], selection.Warmed);
        Assert.Equal(["c"], selection.LeftOut);
        Assert.Equal(["a", "b"], selection.Configured);
        var report = Warmup.Core.Reporting.AdapterReport.From(selection);
        Assert.Equal(["a", "b"], report.Configured);
        Assert.Equal(["c", "d"], report.Discovered);
        Assert.Equal(["d", "b", "a"], report.Warmed);
        Assert.Equal(["c"], report.LeftOut);
        Assert.Equal(3, report.Capacity);
        Assert.Contains(selection.Notes(), n => n.Contains("holds 3 adapters at once and serves 4", StringComparison.Ordinal) && n.Contains("not c", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("0", "limits.maxLoadedAdapters 0 must be between 1 and 1024")]
    [InlineData("2000", "limits.maxLoadedAdapters 2000 must be between 1 and 1024")]
    public void A_bad_adapter_capacity_makes_the_target_invalid(string value, string expected)
    {
        var catalog = TargetCatalog.Parse(
            $$"""[ { "name": "t", "baseUrl": "http://10.0.0.4:8000", "model": "m", "limits": { "maxLoadedAdapters": {{value}} } } ]""", "test");

        Assert.Empty(catalog.Targets);
        Assert.Contains(expected, Assert.Single(catalog.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void The_adapter_capacity_is_a_target_limit()
    {
        var catalog = TargetCatalog.Parse("""[ { "name": "t", "baseUrl": "http://10.0.0.4:8000", "model": "m", "limits": { "maxLoadedAdapters": 4 } } ]""", "test");

        Assert.Equal(4, Assert.Single(catalog.Targets).Limits.MaxLoadedAdapters);
    }
}
