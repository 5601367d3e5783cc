using Warmup.Functions.Events;
using Warmup.Functions.Tests.Support;

namespace Warmup.Functions.Tests.Events;

/// <summary>
/// Conformance with the published Event Grid and CloudEvents samples in shared/fixtures (Microsoft's documentation
/// payloads): each parses with its schema and maps to the same kind of target as the repository's own fixtures.
/// Skipped, with the reason, where that folder is absent (a user's clone).
/// </summary>
public sealed class PublishedEventGridTests
{
    private readonly DeploymentEventMatcher _matcher = new(TestTargets.PublishedCatalog());

    [SkippableTheory]
    [InlineData("resource-write-success.eventgrid.json", "Microsoft.Resources.ResourceWriteSuccess", EventSchemas.EventGrid)]
    [InlineData("resource-write-success.cloudevent.json", "Microsoft.Resources.ResourceWriteSuccess", EventSchemas.CloudEvents)]
    [InlineData("resource-action-success.eventgrid.json", "Microsoft.Resources.ResourceActionSuccess", EventSchemas.EventGrid)]
    [InlineData("resource-action-success.cloudevent.json", "Microsoft.Resources.ResourceActionSuccess", EventSchemas.CloudEvents)]
    [InlineData("ml-model-deployed.eventgrid.json", "Microsoft.MachineLearningServices.ModelDeployed", EventSchemas.EventGrid)]
    [InlineData("ml-model-deployed.cloudevent.json", "Microsoft.MachineLearningServices.ModelDeployed", EventSchemas.CloudEvents)]
    [InlineData("ml-model-registered.eventgrid.json", "Microsoft.MachineLearningServices.ModelRegistered", EventSchemas.EventGrid)]
    [InlineData("ml-model-registered.cloudevent.json", "Microsoft.MachineLearningServices.ModelRegistered", EventSchemas.CloudEvents)]
    [InlineData("acr-image-pushed.eventgrid.json", "Microsoft.ContainerRegistry.ImagePushed", EventSchemas.EventGrid)]
    [InlineData("acr-image-pushed.cloudevent.json", "Microsoft.ContainerRegistry.ImagePushed", EventSchemas.CloudEvents)]
    [InlineData("blob-created.eventgrid.json", "Microsoft.Storage.BlobCreated", EventSchemas.EventGrid)]
    [InlineData("blob-created.cloudevent.json", "Microsoft.Storage.BlobCreated", EventSchemas.CloudEvents)]
    [InlineData("custom-cloudevent.structured.json", "com.example.someevent", EventSchemas.CloudEvents)]
    [InlineData("custom-cloudevents.batch.json", "Microsoft.Contoso.TestEvent", EventSchemas.CloudEvents)]
    [InlineData("subscription-validation.eventgrid.json", "Microsoft.EventGrid.SubscriptionValidationEvent", EventSchemas.EventGrid)]
    public void Every_published_sample_parses_with_its_schema(string file, string type, string schema)
    {
        var e = Read(file);

        Assert.Equal(type, e.Type);
        Assert.Equal(schema, e.Schema);
        Assert.False(string.IsNullOrEmpty(e.Id));
    }

    [SkippableTheory]
    [InlineData("resource-write-success.eventgrid.json", "storage-bound")]
    [InlineData("resource-write-success.cloudevent.json", "storage-bound")]
    [InlineData("ml-model-deployed.eventgrid.json", "sklearn")]
    [InlineData("ml-model-deployed.cloudevent.json", "sklearn")]
    [InlineData("acr-image-pushed.eventgrid.json", "vllm-image")]
    [InlineData("acr-image-pushed.cloudevent.json", "vllm-image")]
    public void Published_deployment_samples_map_to_exactly_their_target(string file, string target)
    {
        var match = _matcher.Match(Read(file));

        Assert.False(match.IsIgnored, match.Detail);
        Assert.Equal([target], match.Targets.Select(t => t.Name));
    }

    [SkippableTheory]
    [InlineData("resource-action-success.cloudevent.json", IgnoreReasons.ReadOnlyAction)]
    [InlineData("ml-model-registered.eventgrid.json", IgnoreReasons.UnsupportedType)]
    [InlineData("blob-created.cloudevent.json", IgnoreReasons.UnsupportedType)]
    [InlineData("custom-cloudevents.batch.json", IgnoreReasons.UnsupportedType)]
    public void Other_published_samples_are_ignored_with_a_reason(string file, string reason)
    {
        var match = _matcher.Match(Read(file));

        Assert.Equal(reason, match.IgnoredReason);
    }

    [SkippableFact]
    public void Published_validation_sample_carries_the_code_of_its_published_answer()
    {
        var e = Read("subscription-validation.eventgrid.json");
        var answer = System.Text.Json.Nodes.JsonNode.Parse(FixturePaths.ReadPublishedEventGrid("subscription-validation.response.json"))!;

        Assert.Equal((string?)answer["validationResponse"], e.ValidationCode);
    }

    private static DeploymentEvent Read(string file) =>
        Assert.Single(DeploymentEventReader.ReadBody(BinaryData.FromString(FixturePaths.ReadPublishedEventGrid(file)), null));
}
