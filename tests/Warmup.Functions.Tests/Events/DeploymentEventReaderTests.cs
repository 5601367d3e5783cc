using System.Text;
using System.Text.Json.Nodes;
using Warmup.Functions.Events;

namespace Warmup.Functions.Tests.Events;

public sealed class DeploymentEventReaderTests
{
    [Theory]
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
    [InlineData("custom-cloudevent.structured.json", "com.contoso.llm.evaluation.finished", EventSchemas.CloudEvents)]
    [InlineData("custom-cloudevents.batch.json", "Contoso.Llm.NightlyReport", EventSchemas.CloudEvents)]
    [InlineData("subscription-validation.eventgrid.json", "Microsoft.EventGrid.SubscriptionValidationEvent", EventSchemas.EventGrid)]
    public void Every_fixture_parses_with_its_schema(string file, string type, string schema)
    {
        var e = Assert.Single(DeploymentEventReader.ReadBody(BinaryData.FromString(FixturePaths.ReadEventGrid(file)), "application/json"));

        Assert.Equal(type, e.Type);
        Assert.Equal(schema, e.Schema);
        Assert.False(string.IsNullOrEmpty(e.Id));
    }

    [Fact]
    public void Arm_write_event_carries_resource_uri_and_operation()
    {
        var e = Assert.Single(DeploymentEventReader.ReadBody(BinaryData.FromString(FixturePaths.ReadEventGrid("resource-write-success.eventgrid.json")), null));

        Assert.Equal("e3a1f7c2-58b4-4d0e-a6c9-1b2f3d4e5f60", e.Id);
        Assert.Equal(Support.TestTargets.FixtureStorageAccountId, e.ResourceId);
        Assert.Equal("Microsoft.Storage/storageAccounts/write", e.OperationName);
    }

    [Fact]
    public void Machine_learning_event_resource_id_is_workspace_plus_endpoint()
    {
        foreach (var file in new[] { "ml-model-deployed.eventgrid.json", "ml-model-deployed.cloudevent.json" })
        {
            var e = Assert.Single(DeploymentEventReader.ReadBody(BinaryData.FromString(FixturePaths.ReadEventGrid(file)), null));
            Assert.Equal(Support.TestTargets.FixtureWorkspaceId + "/endpoints/sklearn-churn-service", e.ResourceId);
        }
    }

    [Fact]
    public void Acr_event_carries_repository_and_registry_id()
    {
        var e = Assert.Single(DeploymentEventReader.ReadBody(BinaryData.FromString(FixturePaths.ReadEventGrid("acr-image-pushed.cloudevent.json")), DeploymentEventReader.CloudEventsContentType));

        Assert.Equal("serving/vllm-openai", e.Repository);
        Assert.EndsWith("/Microsoft.ContainerRegistry/registries/crllmserving", e.ResourceId);
    }

    [Fact]
    public void Validation_event_carries_its_code()
    {
        var e = Assert.Single(DeploymentEventReader.ReadBody(BinaryData.FromString(FixturePaths.ReadEventGrid("subscription-validation.eventgrid.json")), "application/json"));

        Assert.Equal("8b1e2f3a-4c5d-4e6f-9a7b-8c9d0e1f2a3b", e.ValidationCode);
    }

    [Fact]
    public void Custom_warmup_event_yields_only_the_target_name()
    {
        var body = """
            { "specversion": "1.0", "type": "warmup.deployment.completed", "source": "/ci/llm-repo", "id": "run-42-1",
              "data": { "target": "llama-prod", "baseUrl": "http://169.254.169.254/latest/meta-data" } }
            """;

        var e = Assert.Single(DeploymentEventReader.ReadBody(BinaryData.FromString(body), DeploymentEventReader.CloudEventsContentType));

        Assert.Equal("llama-prod", e.NamedTarget);
        Assert.Null(e.ResourceId);
    }

    [Fact]
    public void Queue_message_may_be_raw_or_base64()
    {
        var json = JsonNode.Parse(FixturePaths.ReadEventGrid("resource-write-success.eventgrid.json"))!.AsArray()[0]!.ToJsonString();
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(json));

        var raw = Assert.Single(DeploymentEventReader.ReadQueueMessage(json));
        var decoded = Assert.Single(DeploymentEventReader.ReadQueueMessage(base64));

        Assert.Equal(raw, decoded);
        Assert.Equal("e3a1f7c2-58b4-4d0e-a6c9-1b2f3d4e5f60", raw.Id);
    }

    [Fact]
    public void Queue_message_in_cloud_events_schema_is_read()
    {
        var json = FixturePaths.ReadEventGrid("resource-write-success.cloudevent.json");

        var e = Assert.Single(DeploymentEventReader.ReadQueueMessage(Convert.ToBase64String(Encoding.UTF8.GetBytes(json))));

        Assert.Equal(EventSchemas.CloudEvents, e.Schema);
        Assert.Equal("Microsoft.Resources.ResourceWriteSuccess", e.Type);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("hello there", "neither JSON nor base64")]
    [InlineData("aGVsbG8=", "does not decode to JSON")]
    [InlineData("{ \"id\": ", "not valid JSON")]
    [InlineData("[ 1, 2 ]", "expected a JSON object")]
    [InlineData("{ \"id\": \"x\", \"subject\": \"s\" }", "not a valid Event Grid schema event")]
    [InlineData("{ \"specversion\": \"1.0\", \"id\": \"x\" }", "not a valid CloudEvents 1.0 event")]
    public void Malformed_messages_throw_a_clear_exception(string message, string expected)
    {
        var ex = Assert.Throws<MalformedEventException>(() => DeploymentEventReader.ReadQueueMessage(message));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Empty_array_is_a_valid_empty_delivery()
    {
        Assert.Empty(DeploymentEventReader.ReadBody(BinaryData.FromString("[]"), "application/json"));
    }
}
