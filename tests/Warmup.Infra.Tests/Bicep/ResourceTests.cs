using System.Text.Json.Nodes;

namespace Warmup.Infra.Tests.Bicep;

/// <summary>What the evaluated deployment creates: Flex app, identity-only access, least-privilege roles, event delivery.</summary>
[Collection(InfraBuildCollection.Name)]
public sealed class ResourceTests(InfraBuild infra)
{
    private static class Roles
    {
        public const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
        public const string StorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
        public const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
        public const string StorageQueueDataMessageSender = "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a";
        public const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
        public const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
        public const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
        public const string KeyVaultSecretsOfficer = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";
        public const string LogAnalyticsReader = "73c42c96-874c-492b-b04d-ab87d138a893";
        public const string AzureMlDataScientist = "f6c7c914-8db3-469d-8ca1-694a8f32e121";
    }

    [Fact]
    public void Function_app_runs_dotnet_isolated_10_on_Flex_Consumption_as_its_user_assigned_identity()
    {
        var plan = infra.SingleResource("Microsoft.Web/serverfarms");
        Assert.Equal("FC1", (string?)plan["sku"]!["name"]);
        Assert.Equal("FlexConsumption", (string?)plan["sku"]!["tier"]);

        var site = infra.SingleResource("Microsoft.Web/sites");
        var config = site["properties"]!["functionAppConfig"]!;
        Assert.Equal("dotnet-isolated", (string?)config["runtime"]!["name"]);
        Assert.Equal("10.0", (string?)config["runtime"]!["version"]);
        Assert.Equal("api", (string?)site["tags"]!["azd-service-name"]);
        Assert.Equal("UserAssigned", (string?)site["identity"]!["type"]);
        Assert.True((bool)site["properties"]!["httpsOnly"]!);

        var deployment = config["deployment"]!["storage"]!;
        Assert.Equal("blobContainer", (string?)deployment["type"]);
        Assert.Equal("UserAssignedIdentity", (string?)deployment["authentication"]!["type"]);
        var container = infra.ResourcesOfType("Microsoft.Storage/storageAccounts/blobServices/containers")
            .Select(c => ((string)c["name"]!).Split('/')[^1]);
        Assert.Contains(container, name => ((string)deployment["value"]!).Contains(name, StringComparison.Ordinal));
    }

    [Fact]
    public void Storage_key_vault_and_telemetry_accept_only_Entra_ID()
    {
        var storage = infra.SingleResource("Microsoft.Storage/storageAccounts")["properties"]!;
        Assert.False((bool)storage["allowSharedKeyAccess"]!);
        Assert.False((bool)storage["allowBlobPublicAccess"]!);

        Assert.True((bool)infra.SingleResource("Microsoft.Insights/components")["properties"]!["DisableLocalAuth"]!);

        var vault = infra.SingleResource("Microsoft.KeyVault/vaults")["properties"]!;
        Assert.True((bool)vault["enableRbacAuthorization"]!);
        Assert.True((bool)vault["enableSoftDelete"]!);
        Assert.Null(vault["accessPolicies"]);

        foreach (var policy in infra.ResourcesOfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies"))
        {
            Assert.False((bool)policy["properties"]!["allow"]!);
        }
    }

    [Fact]
    public void Role_assignments_are_exactly_the_least_privilege_set()
    {
        var assigned = infra.ResourcesOfType("Microsoft.Authorization/roleAssignments")
            .Select(r => ((string)r["properties"]!["roleDefinitionId"]!).Split('/')[^1])
            .Order(StringComparer.Ordinal)
            .ToList();

        // 3 topics (resource group, Azure ML, ACR) each get queue send + dead-letter write.
        string[] expected =
        [
            Roles.StorageBlobDataOwner, Roles.StorageQueueDataContributor, Roles.StorageTableDataContributor,
            Roles.MonitoringMetricsPublisher, Roles.KeyVaultSecretsUser, Roles.KeyVaultSecretsOfficer,
            Roles.LogAnalyticsReader, Roles.AzureMlDataScientist,
            Roles.StorageQueueDataMessageSender, Roles.StorageQueueDataMessageSender, Roles.StorageQueueDataMessageSender,
            Roles.StorageBlobDataContributor, Roles.StorageBlobDataContributor, Roles.StorageBlobDataContributor,
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), assigned);
    }

    [Fact]
    public void Event_grid_roles_are_scoped_to_the_queue_and_the_dead_letter_container()
    {
        foreach (var assignment in infra.ResourcesOfType("Microsoft.Authorization/roleAssignments"))
        {
            var role = ((string)assignment["properties"]!["roleDefinitionId"]!).Split('/')[^1];
            var scope = ScopeOf(assignment);
            if (role == Roles.StorageQueueDataMessageSender)
            {
                Assert.Contains("/queueServices/default/queues/deployment-events", scope, StringComparison.Ordinal);
            }
            else if (role == Roles.StorageBlobDataContributor)
            {
                Assert.Contains("/blobServices/default/containers/eventgrid-deadletter", scope, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void App_identity_storage_roles_are_on_its_own_storage_account_only()
    {
        var storageId = (string)infra.SingleResource("Microsoft.Storage/storageAccounts")["id"]!;
        foreach (var role in new[] { Roles.StorageBlobDataOwner, Roles.StorageQueueDataContributor, Roles.StorageTableDataContributor })
        {
            var assignment = infra.ResourcesOfType("Microsoft.Authorization/roleAssignments")
                .Single(r => ((string)r["properties"]!["roleDefinitionId"]!).EndsWith(role, StringComparison.Ordinal));
            Assert.Equal(storageId, ScopeOf(assignment));
        }
    }

    [Fact]
    public void Azure_ml_scoring_role_is_assigned_on_the_workspace()
    {
        var scoring = infra.ResourcesOfType("Microsoft.Authorization/roleAssignments")
            .Single(r => ((string)r["properties"]!["roleDefinitionId"]!).EndsWith(Roles.AzureMlDataScientist, StringComparison.Ordinal));
        Assert.Equal(InfraBuild.AzureMlWorkspaceId, ScopeOf(scoring), ignoreCase: true);
    }

    [Fact]
    public void One_system_topic_per_source_with_its_own_identity()
    {
        var topics = infra.ResourcesOfType("Microsoft.EventGrid/systemTopics").ToList();
        Assert.Equal(
            ["Microsoft.ContainerRegistry.Registries", "Microsoft.MachineLearningServices.Workspaces", "Microsoft.Resources.ResourceGroups"],
            topics.Select(t => (string)t["properties"]!["topicType"]!).Order(StringComparer.Ordinal));
        Assert.All(topics, t => Assert.Equal("SystemAssigned", (string?)t["identity"]!["type"]));

        var resourceGroupTopic = topics.Single(t => (string?)t["properties"]!["topicType"] == "Microsoft.Resources.ResourceGroups");
        Assert.Equal("global", (string?)resourceGroupTopic["location"]);
        Assert.Equal($"/subscriptions/{InfraBuild.SubscriptionId}/resourceGroups/rg-warmup-ci", (string?)resourceGroupTopic["properties"]!["source"]);

        var mlTopic = topics.Single(t => (string?)t["properties"]!["topicType"] == "Microsoft.MachineLearningServices.Workspaces");
        Assert.Equal(InfraBuild.AzureMlWorkspaceId, (string?)mlTopic["properties"]!["source"]);
        Assert.StartsWith($"/subscriptions/{InfraBuild.OtherSubscriptionId}/resourceGroups/rg-ml/", (string)mlTopic["id"]!, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Event_subscriptions_deliver_to_the_queue_and_dead_letter_with_the_topic_identity()
    {
        var storageId = (string)infra.SingleResource("Microsoft.Storage/storageAccounts")["id"]!;
        var subscriptions = infra.ResourcesOfType("Microsoft.EventGrid/systemTopics/eventSubscriptions").ToList();
        Assert.Equal(3, subscriptions.Count);

        foreach (var subscription in subscriptions)
        {
            var properties = subscription["properties"]!;
            Assert.Equal("EventGridSchema", (string?)properties["eventDeliverySchema"]);
            Assert.Null(properties["destination"]);

            var delivery = properties["deliveryWithResourceIdentity"]!;
            Assert.Equal("SystemAssigned", (string?)delivery["identity"]!["type"]);
            Assert.Equal("StorageQueue", (string?)delivery["destination"]!["endpointType"]);
            Assert.Equal(storageId, (string?)delivery["destination"]!["properties"]!["resourceId"]);
            Assert.Equal("deployment-events", (string?)delivery["destination"]!["properties"]!["queueName"]);

            var deadLetter = properties["deadLetterWithResourceIdentity"]!;
            Assert.Equal("SystemAssigned", (string?)deadLetter["identity"]!["type"]);
            Assert.Equal("eventgrid-deadletter", (string?)deadLetter["deadLetterDestination"]!["properties"]!["blobContainerName"]);

            Assert.Equal(30, (int)properties["retryPolicy"]!["maxDeliveryAttempts"]!);
            Assert.Equal(1440, (int)properties["retryPolicy"]!["eventTimeToLiveInMinutes"]!);
            Assert.NotEmpty(properties["filter"]!["includedEventTypes"]!.AsArray());
        }
    }

    [Fact]
    public void Arm_events_are_filtered_to_model_deployment_operations()
    {
        var arm = infra.ResourcesOfType("Microsoft.EventGrid/systemTopics/eventSubscriptions")
            .Single(s => ((string)s["name"]!).StartsWith("evgt-warmup-arm-", StringComparison.Ordinal));
        var filter = arm["properties"]!["filter"]!;
        Assert.Equal(["Microsoft.Resources.ResourceWriteSuccess"], filter["includedEventTypes"]!.AsArray().Select(v => (string)v!));
        var operationFilter = filter["advancedFilters"]!.AsArray().Single()!;
        Assert.Equal("StringIn", (string?)operationFilter["operatorType"]);
        Assert.Equal("data.operationName", (string?)operationFilter["key"]);
        Assert.Contains("Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments/write",
            operationFilter["values"]!.AsArray().Select(v => (string)v!));
    }

    [Fact]
    public void Outputs_give_azd_what_it_needs()
    {
        var outputs = infra.SnapshotDocument["outputs"]!.AsObject();
        foreach (var name in new[] { "AZURE_FUNCTION_APP_NAME", "AZURE_RESOURCE_GROUP", "AZURE_LOCATION", "AZURE_TENANT_ID",
                     "AZURE_CLIENT_ID", "AZURE_KEY_VAULT_NAME", "WARMUP_DEPLOYMENT_QUEUE", "SERVICE_API_NAME", "AZURE_FUNCTION_APP_URL" })
        {
            Assert.True(outputs.ContainsKey(name), $"output {name} missing");
        }

        Assert.Equal((string?)infra.SingleResource("Microsoft.Web/sites")["name"], (string?)outputs["AZURE_FUNCTION_APP_NAME"]);
        Assert.Equal("rg-warmup-ci", (string?)outputs["AZURE_RESOURCE_GROUP"]);
    }

    [Fact]
    public void Every_resource_carries_the_azd_environment_tag()
    {
        var untagged = infra.PredictedResources
            .Where(r => r["location"] is not null)
            .Where(r => (string?)(r["tags"] as JsonObject)?["azd-env-name"] != "warmup-ci")
            .Select(r => $"{r["type"]} {r["name"]}")
            .ToList();
        Assert.Empty(untagged);
    }

    /// <summary>An extension resource's scope is the part of its id before /providers/Microsoft.Authorization/.</summary>
    private static string ScopeOf(JsonObject roleAssignment)
    {
        var id = (string)roleAssignment["id"]!;
        return id[..id.IndexOf("/providers/Microsoft.Authorization/roleAssignments/", StringComparison.OrdinalIgnoreCase)];
    }
}
