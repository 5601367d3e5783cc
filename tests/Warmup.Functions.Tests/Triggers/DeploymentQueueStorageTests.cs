using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using Warmup.Functions.Events;
using Warmup.Functions.Tests.Support;
using Warmup.TestFixtures;

namespace Warmup.Functions.Tests.Triggers;

/// <summary>
/// The deployment queue on real queue storage (Azurite): messages written the two ways they arrive, read the way the
/// host reads them with host.json's <c>"messageEncoding": "none"</c>, handed to the real trigger; its dead letter
/// written the way the output binding writes it (same encoding).
/// </summary>
public sealed class DeploymentQueueStorageTests
{
    private readonly TriggerFixture _fx = new();

    private static string FirstEvent(string file) => JsonNode.Parse(FixturePaths.ReadEventGrid(file))!.AsArray()[0]!.ToJsonString();

    [AzuriteFact]
    public async Task Base64_and_raw_json_messages_both_start_and_a_malformed_one_is_dead_lettered_with_its_text()
    {
        await using var azurite = await Azurite.StartAsync();
        var asHostReads = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
        var deployments = new QueueClient(azurite.ConnectionString, "deployment-events", asHostReads);
        var deadLetters = new QueueClient(azurite.ConnectionString, "deployment-events-deadletter", asHostReads);
        await deployments.CreateAsync();
        await deadLetters.CreateAsync();

        // Event Grid's Storage queue delivery writes base64 text; a CI/CD script often writes the JSON itself.
        var eventGridLike = new QueueClient(azurite.ConnectionString, "deployment-events", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await eventGridLike.SendMessageAsync(FirstEvent("resource-write-success.eventgrid.json"));
        await deployments.SendMessageAsync(FirstEvent("acr-image-pushed.eventgrid.json"));
        const string Malformed = "{\"subject\":\"not an event\"}";
        await deployments.SendMessageAsync(Malformed);

        var received = (await deployments.ReceiveMessagesAsync(maxMessages: 10)).Value;
        Assert.Equal(3, received.Length);
        foreach (var message in received)
        {
            foreach (var deadLetter in await _fx.Queue().Run(message.Body.ToString(), _fx.Durable.Client, CancellationToken.None))
            {
                await deadLetters.SendMessageAsync(deadLetter);
            }

            await deployments.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        }

        Assert.Equal(["warmup-storage-bound", "warmup-vllm-image"], _fx.Durable.Scheduled.Select(s => s.InstanceId).Order());
        var stored = Assert.Single((await deadLetters.ReceiveMessagesAsync(maxMessages: 10)).Value);
        var letter = DeadLetteredMessage.FromJson(stored.Body.ToString())!;
        Assert.Equal(Malformed, letter.OriginalMessage);
        Assert.Contains("not a valid Event Grid schema event", letter.Reason, StringComparison.Ordinal);
        Assert.Empty((await deployments.ReceiveMessagesAsync(maxMessages: 10)).Value);
    }
}
