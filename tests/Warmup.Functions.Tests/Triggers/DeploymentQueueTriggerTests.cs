using System.Text;
using System.Text.Json.Nodes;
using Microsoft.DurableTask.Client;
using Warmup.Core.Orchestration;
using Warmup.Functions.Events;
using Warmup.Functions.Tests.Support;

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
        Assert.Equal("4db48cba-50a2-455a-93b4-de41a3b5b7f6", scheduled.Request.CorrelationId);
    }

    [Theory]
    [InlineData("ml-model-deployed.eventgrid.json", "warmup-sklearn")]
    [InlineData("acr-image-pushed.eventgrid.json", "warmup-nginx")]
    public async Task Raw_json_events_start_their_targets(string file, string instanceId)
    {
        var summary = await _fx.Queue().HandleAsync(FirstEvent(file), _fx.Durable.Client, CancellationToken.None);

        Assert.Equal(1, summary.Started);
        Assert.Equal(instanceId, Assert.Single(_fx.Durable.Scheduled).InstanceId);
    }

    [Fact]
    public async Task Cloud_event_message_is_handled_like_the_event_grid_one()
    {
        var summary = await _fx.Queue().HandleAsync(FixturePaths.ReadEventGrid("acr-image-pushed.cloudevent.json"), _fx.Durable.Client, CancellationToken.None);

        Assert.Equal(1, summary.Started);
        Assert.Equal("warmup-nginx", Assert.Single(_fx.Durable.Scheduled).InstanceId);
    }

    [Theory]
    [InlineData("blob-created.eventgrid.json", IgnoreReasons.UnsupportedType)]
    [InlineData("ml-model-registered.eventgrid.json", IgnoreReasons.UnsupportedType)]
    [InlineData("resource-action-success.eventgrid.json", IgnoreReasons.ReadOnlyAction)]
    [InlineData("subscription-validation.eventgrid.json", IgnoreReasons.ValidationOnQueue)]
    public async Task Unmatched_events_are_acknowledged_and_logged_not_retried(string file, string reason)
    {
        // Completing without an exception is what acknowledges (deletes) the queue message.
        var summary = await _fx.Queue().HandleAsync(Base64(FirstEvent(file)), _fx.Durable.Client, CancellationToken.None);

        Assert.Equal(1, summary.Ignored);
        Assert.Empty(_fx.Durable.Scheduled);
        Assert.Equal(reason, Assert.Single(_fx.Events.Ignored).Reason);
    }

    [Theory]
    [InlineData("not an event")]
    [InlineData("{\"subject\":\"x\"}")]
    [InlineData("eyJzdWJqZWN0IjoieCJ9")]   // base64 of {"subject":"x"}
    public async Task Malformed_message_throws_so_the_host_moves_it_to_the_poison_queue(string message)
    {
        var ex = await Assert.ThrowsAsync<MalformedEventException>(() => _fx.Queue().Run(message, _fx.Durable.Client, CancellationToken.None));

        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
        Assert.Empty(_fx.Durable.Scheduled);
    }

    [Fact]
    public async Task Redelivered_message_does_not_start_twice()
    {
        string message = Base64(FirstEvent("resource-write-success.eventgrid.json"));
        await _fx.Queue().Run(message, _fx.Durable.Client, CancellationToken.None);
        _fx.Time.Advance(TimeSpan.FromMinutes(3));

        var again = await _fx.Queue().HandleAsync(message, _fx.Durable.Client, CancellationToken.None);

        Assert.Single(_fx.Durable.Scheduled);
        Assert.Equal(Warmup.Functions.Starting.SkipReasons.DuplicateEvent, Assert.Single(again.Events).Reason);
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
        _fx.Durable.Put("warmup-nginx", OrchestrationRuntimeStatus.Running, _fx.Time.GetUtcNow(), _fx.Durable.Scheduled[0].Request);
        _fx.Time.Advance(TimeSpan.FromSeconds(90));
        string next = FirstEvent("acr-image-pushed.eventgrid.json").Replace("c25fdb80-ebbd-4dd0-a29c-a7349e6388f6", "next-push");

        var summary = await _fx.Queue().HandleAsync(next, _fx.Durable.Client, CancellationToken.None);

        Assert.Equal(1, summary.Restarted);
        Assert.Equal(2, _fx.Durable.Scheduled.Count);
        Assert.Contains("raise:warmup-nginx:cancel", _fx.Durable.Calls);
    }
}
