using System.Text;
using System.Text.Json.Nodes;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Warmup.Core.Orchestration;
using Warmup.Functions.Events;
using Warmup.Functions.Tests.Support;
using Warmup.Functions.Triggers;

namespace Warmup.Functions.Tests.Triggers;

public sealed class DeploymentQueueTriggerTests
{
    private readonly TriggerFixture _fx = new();

    private static string FirstEvent(string file) => JsonNode.Parse(FixturePaths.ReadEventGrid(file))!.AsArray()[0]!.ToJsonString();

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task Base64_arm_event_starts_the_matching_target()
    {
        await _fx.Queue().Run(Base64(FirstEvent("resource-write-success.eventgrid.json")), _fx.Durable.Client, CancellationToken.None);

        var scheduled = Assert.Single(_fx.Durable.Scheduled);
        Assert.Equal("warmup-storage-bound", scheduled.InstanceId);
        Assert.Equal(WarmupReasons.Deployment, scheduled.Request.Reason);
        Assert.Equal("e3a1f7c2-58b4-4d0e-a6c9-1b2f3d4e5f60", scheduled.Request.CorrelationId);
    }

    [Theory]
    [InlineData("ml-model-deployed.eventgrid.json", "warmup-sklearn")]
    [InlineData("acr-image-pushed.eventgrid.json", "warmup-vllm-image")]
    public async Task Raw_json_events_start_their_targets(string file, string instanceId)
    {
        var summary = (await _fx.Queue().HandleAsync(FirstEvent(file), _fx.Durable.Client, CancellationToken.None)).Summary!;

        Assert.Equal(1, summary.Started);
        Assert.Equal(instanceId, Assert.Single(_fx.Durable.Scheduled).InstanceId);
    }

    [Fact]
    public async Task Cloud_event_message_is_handled_like_the_event_grid_one()
    {
        var summary = (await _fx.Queue().HandleAsync(FixturePaths.ReadEventGrid("acr-image-pushed.cloudevent.json"), _fx.Durable.Client, CancellationToken.None)).Summary!;

        Assert.Equal(1, summary.Started);
        Assert.Equal("warmup-vllm-image", Assert.Single(_fx.Durable.Scheduled).InstanceId);
    }

    [Theory]
    [InlineData("blob-created.eventgrid.json", IgnoreReasons.UnsupportedType)]
    [InlineData("ml-model-registered.eventgrid.json", IgnoreReasons.UnsupportedType)]
    [InlineData("resource-action-success.eventgrid.json", IgnoreReasons.ReadOnlyAction)]
    [InlineData("subscription-validation.eventgrid.json", IgnoreReasons.ValidationOnQueue)]
    public async Task Unmatched_events_are_acknowledged_and_logged_not_retried(string file, string reason)
    {
        // Completing without an exception is what acknowledges (deletes) the queue message.
        var summary = (await _fx.Queue().HandleAsync(Base64(FirstEvent(file)), _fx.Durable.Client, CancellationToken.None)).Summary!;

        Assert.Equal(1, summary.Ignored);
        Assert.Empty(_fx.Durable.Scheduled);
        Assert.Equal(reason, Assert.Single(_fx.Events.Ignored).Reason);
    }

    [Theory]
    [InlineData("not an event", "neither JSON nor base64")]
    [InlineData("{\"subject\":\"x\"}", "not a valid Event Grid schema event")]
    [InlineData("eyJzdWJqZWN0IjoieCJ9", "not a valid Event Grid schema event")]   // base64 of {"subject":"x"}
    [InlineData("aGVsbG8=", "base64 but does not decode to JSON")]             // base64 of "hello"
    public async Task Malformed_message_is_dead_lettered_once_with_its_reason_and_original_text(string message, string reason)
    {
        // Returning (not throwing) acknowledges the message: no retries, no poison queue.
        var written = await _fx.Queue().Run(message, _fx.Durable.Client, CancellationToken.None);

        var deadLetter = DeadLetteredMessage.FromJson(Assert.Single(written))!;
        Assert.Contains(reason, deadLetter.Reason, StringComparison.Ordinal);
        Assert.Equal(message, deadLetter.OriginalMessage);
        Assert.Equal(DeploymentQueueTrigger.FunctionName, deadLetter.SourceFunction);
        Assert.Equal(_fx.Time.GetUtcNow(), deadLetter.DeadLetteredAt);
        Assert.Empty(_fx.Durable.Scheduled);

        var logged = Assert.Single(_fx.QueueLog.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Warning, logged.Level);
        Assert.Contains("dead-letter queue", logged.Message, StringComparison.Ordinal);
        Assert.Contains(reason, logged.Message, StringComparison.Ordinal);
        Assert.Null(logged.Exception);
    }

    [Fact]
    public async Task Dead_letter_json_uses_the_documented_names()
    {
        var written = Assert.Single(await _fx.Queue().Run("not an event", _fx.Durable.Client, CancellationToken.None));

        var names = JsonNode.Parse(written)!.AsObject().Select(p => p.Key);
        Assert.Equal(["reason", "originalMessage", "sourceFunction", "deadLetteredAt"], names);
    }

    [Fact]
    public async Task An_event_writes_nothing_to_the_dead_letter_queue()
    {
        var written = await _fx.Queue().Run(FirstEvent("acr-image-pushed.eventgrid.json"), _fx.Durable.Client, CancellationToken.None);

        Assert.Empty(written);
        Assert.Single(_fx.Durable.Scheduled);
    }

    [Fact]
    public async Task Raw_json_and_base64_forms_of_one_event_start_the_same_warm_up()
    {
        // Event Grid's Storage queue delivery writes base64 text; scripts often write the JSON itself. With
        // messageEncoding "none" (host.json) the host passes either text through unchanged.
        var json = FirstEvent("resource-write-success.eventgrid.json");
        var fromRaw = new TriggerFixture();
        var fromBase64 = new TriggerFixture();

        var raw = await fromRaw.Queue().HandleAsync(json, fromRaw.Durable.Client, CancellationToken.None);
        var encoded = await fromBase64.Queue().HandleAsync(Base64(json), fromBase64.Durable.Client, CancellationToken.None);

        Assert.Equal(1, raw.Summary!.Started);
        Assert.Equal(1, encoded.Summary!.Started);
        Assert.Equal(Assert.Single(fromRaw.Durable.Scheduled).Request.CorrelationId, Assert.Single(fromBase64.Durable.Scheduled).Request.CorrelationId);
    }

    [Fact]
    public async Task Redelivered_message_does_not_start_twice()
    {
        var message = Base64(FirstEvent("resource-write-success.eventgrid.json"));
        await _fx.Queue().Run(message, _fx.Durable.Client, CancellationToken.None);
        _fx.Time.Advance(TimeSpan.FromMinutes(3));

        var again = await _fx.Queue().HandleAsync(message, _fx.Durable.Client, CancellationToken.None);

        Assert.Single(_fx.Durable.Scheduled);
        Assert.Equal(Warmup.Functions.Starting.SkipReasons.DuplicateEvent, Assert.Single(again.Summary!.Events).Reason);
    }

    [Fact]
    public async Task Durable_failures_propagate_so_the_message_is_retried()
    {
        _fx.Durable.ScheduleFailure = _ => new TimeoutException("storage throttled");

        await Assert.ThrowsAsync<TimeoutException>(() => _fx.Queue().Run(FirstEvent("acr-image-pushed.eventgrid.json"), _fx.Durable.Client, CancellationToken.None));
    }

    [Fact]
    public async Task Second_event_of_a_running_deployment_restarts_after_the_debounce_window()
    {
        await _fx.Queue().Run(FirstEvent("acr-image-pushed.eventgrid.json"), _fx.Durable.Client, CancellationToken.None);
        _fx.Durable.Put("warmup-vllm-image", OrchestrationRuntimeStatus.Running, _fx.Time.GetUtcNow(), _fx.Durable.Scheduled[0].Request);
        _fx.Time.Advance(TimeSpan.FromSeconds(90));
        var next = FirstEvent("acr-image-pushed.eventgrid.json").Replace("0a9b8c7d-6e5f-4a3b-9c2d-1e0f2a3b4c5d", "next-push");

        var summary = (await _fx.Queue().HandleAsync(next, _fx.Durable.Client, CancellationToken.None)).Summary!;

        Assert.Equal(1, summary.Restarted);
        Assert.Equal(2, _fx.Durable.Scheduled.Count);
        Assert.Contains("raise:warmup-vllm-image:cancel", _fx.Durable.Calls);
    }
}
