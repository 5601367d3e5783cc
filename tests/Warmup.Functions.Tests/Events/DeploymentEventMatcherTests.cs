using Warmup.Core.Targets;
using Warmup.Functions.Events;
using Warmup.Functions.Tests.Support;

namespace Warmup.Functions.Tests.Events;

public sealed class DeploymentEventMatcherTests
{
    private readonly DeploymentEventMatcher _matcher = new(TestTargets.FixtureCatalog());

    private EventMatch MatchFixture(string file) =>
        _matcher.Match(Assert.Single(DeploymentEventReader.ReadBody(BinaryData.FromString(FixturePaths.ReadEventGrid(file)), null)));

    [Theory]
    [InlineData("resource-write-success.eventgrid.json", "storage-bound")]
    [InlineData("resource-write-success.cloudevent.json", "storage-bound")]
    [InlineData("ml-model-deployed.eventgrid.json", "sklearn")]
    [InlineData("ml-model-deployed.cloudevent.json", "sklearn")]
    [InlineData("acr-image-pushed.eventgrid.json", "vllm-image")]
    [InlineData("acr-image-pushed.cloudevent.json", "vllm-image")]
    public void Deployment_fixtures_map_to_exactly_their_target(string file, string target)
    {
        var match = MatchFixture(file);

        Assert.False(match.IsIgnored, match.Detail);
        Assert.Equal([target], match.Targets.Select(t => t.Name));
    }

    [Theory]
    [InlineData("resource-action-success.eventgrid.json", IgnoreReasons.ReadOnlyAction)]
    [InlineData("resource-action-success.cloudevent.json", IgnoreReasons.ReadOnlyAction)]
    [InlineData("ml-model-registered.eventgrid.json", IgnoreReasons.UnsupportedType)]
    [InlineData("ml-model-registered.cloudevent.json", IgnoreReasons.UnsupportedType)]
    [InlineData("blob-created.eventgrid.json", IgnoreReasons.UnsupportedType)]
    [InlineData("blob-created.cloudevent.json", IgnoreReasons.UnsupportedType)]
    [InlineData("custom-cloudevent.structured.json", IgnoreReasons.UnsupportedType)]
    [InlineData("custom-cloudevents.batch.json", IgnoreReasons.UnsupportedType)]
    public void Other_fixtures_are_ignored_with_a_reason(string file, string reason)
    {
        var match = MatchFixture(file);

        Assert.True(match.IsIgnored);
        Assert.Equal(reason, match.IgnoredReason);
        Assert.Empty(match.Targets);
    }

    [Fact]
    public void Resource_action_that_changes_something_matches_by_resource_id()
    {
        // Derived from resource-action-success.cloudevent.json: a restart action on the llama endpoint instead of listKeys on another.
        var body = FixturePaths.ReadEventGrid("resource-action-success.cloudevent.json")
            .Replace("onlineEndpoints/listKeys/action", "onlineEndpoints/restart/action")
            .Replace("/subscriptions/7d2c5e0a-3f61-4b8e-9a14-2c6f0e8b51d3/resourceGroups/rg-llm-serving/providers/Microsoft.MachineLearningServices/workspaces/mlw-llm/onlineEndpoints/qwen-chat",
                     "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-llm/providers/Microsoft.MachineLearningServices/workspaces/ws/onlineEndpoints/llama");

        var match = _matcher.Match(Assert.Single(DeploymentEventReader.ReadBody(BinaryData.FromString(body), null)));

        Assert.Equal(["llama-prod"], match.Targets.Select(t => t.Name));
    }

    [Fact]
    public void Unrelated_resource_write_matches_no_target()
    {
        var e = new DeploymentEvent("e1", DeploymentEventTypes.ResourceWriteSuccess, EventSchemas.EventGrid,
            ResourceId: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-llm/providers/Microsoft.MachineLearningServices/workspaces/ws/onlineEndpoints/llama2");

        var match = _matcher.Match(e);

        Assert.Equal(IgnoreReasons.NoMatchingTarget, match.IgnoredReason);
    }

    [Theory]
    [InlineData("/a/b/c", "/a/b", true)]
    [InlineData("/a/b", "/a/b/", true)]
    [InlineData("/A/B/c", "/a/b", true)]
    [InlineData("/a/bc", "/a/b", false)]
    [InlineData("/a", "/a/b", false)]
    public void Prefix_matches_at_path_boundaries_only(string id, string prefix, bool expected) =>
        Assert.Equal(expected, DeploymentEventMatcher.HasPrefix(id, prefix));

    [Fact]
    public void Rule_event_types_restrict_the_match()
    {
        var matcher = new DeploymentEventMatcher(new TargetCatalog([
            TestTargets.Target("writes-only", new EventMatchRule { EventTypes = [DeploymentEventTypes.ResourceWriteSuccess], ResourceIdPrefix = "/subs/x" }),
        ]));

        Assert.False(matcher.Match(new DeploymentEvent("1", DeploymentEventTypes.ResourceWriteSuccess, EventSchemas.EventGrid, ResourceId: "/subs/x/y")).IsIgnored);
        Assert.True(matcher.Match(new DeploymentEvent("2", DeploymentEventTypes.ResourceActionSuccess, EventSchemas.EventGrid, ResourceId: "/subs/x/y", OperationName: "P/x/restart/action")).IsIgnored);
    }

    [Fact]
    public void Custom_event_names_a_configured_target_only()
    {
        var known = _matcher.Match(new DeploymentEvent("1", DeploymentEventTypes.WarmupDeploymentCompleted, EventSchemas.CloudEvents, NamedTarget: "llama-prod"));
        var unknown = _matcher.Match(new DeploymentEvent("2", DeploymentEventTypes.WarmupDeploymentCompleted, EventSchemas.CloudEvents, NamedTarget: "http://169.254.169.254/"));
        var missing = _matcher.Match(new DeploymentEvent("3", DeploymentEventTypes.WarmupDeploymentCompleted, EventSchemas.CloudEvents));

        Assert.Equal(["llama-prod"], known.Targets.Select(t => t.Name));
        Assert.Equal(IgnoreReasons.UnknownTarget, unknown.IgnoredReason);
        Assert.Equal(IgnoreReasons.MissingTargetName, missing.IgnoredReason);
    }
}
