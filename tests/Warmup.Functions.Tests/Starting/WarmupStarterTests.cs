using DurableTask.Core.Exceptions;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Functions.Configuration;
using Warmup.Functions.Starting;
using Warmup.Functions.Tests.Support;

namespace Warmup.Functions.Tests.Starting;

public sealed class WarmupStarterTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly RecordingEventSink _events = new();
    private readonly DurableClientFake _durable;
    private readonly WarmupStarter _starter;
    private readonly Core.Targets.WarmupTarget _target = TestTargets.Target("llama-prod");
    private const string Id = "warmup-llama-prod";

    public WarmupStarterTests()
    {
        _durable = new DurableClientFake(_time);
        _starter = new WarmupStarter(new WarmupOptions { TerminationWait = TimeSpan.FromSeconds(2) }, _events, _time, NullLogger<WarmupStarter>.Instance);
    }

    [Fact]
    public async Task Deployment_starts_a_default_warmup_under_the_singleton_id_with_the_event_id_as_correlation()
    {
        var result = await _starter.StartForDeploymentAsync(_durable.Client, _target, "evt-1", CancellationToken.None);

        Assert.Equal(StartOutcome.Started, result.Outcome);
        var scheduled = Assert.Single(_durable.Scheduled);
        Assert.Equal(TaskNames.TargetWarmupOrchestration, scheduled.Orchestration);
        Assert.Equal(Id, scheduled.InstanceId);
        Assert.Equal(new WarmupRequest("llama-prod", WarmupReasons.Deployment, PlanSpec.FromPreset(PlanPresets.Default), "evt-1"), scheduled.Request with { RunId = null });
        // The first run's id is chosen here (so answers can name it): the target's id, the start time, a unique suffix.
        Assert.Matches(@"^warmup-llama-prod-20260301T120000Z-[0-9a-f]{8}$", scheduled.Request.RunId);
        Assert.Equal(scheduled.Request.RunId, result.RunId);
        OrchestrationRuntimeStatus[] active = [OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Suspended];
        Assert.Equal(active.Order(), scheduled.Options!.DedupeStatuses!.Select(s => Enum.Parse<OrchestrationRuntimeStatus>(s)).Order());
    }

    [Fact]
    public async Task The_same_event_id_twice_starts_once()
    {
        await _starter.StartForDeploymentAsync(_durable.Client, _target, "evt-1", CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(10));   // well past the debounce window: only the id can tell
        _durable.Put(Id, OrchestrationRuntimeStatus.Completed, _durable.Instances[Id].CreatedAt, _durable.Scheduled[0].Request);

        var second = await _starter.StartForDeploymentAsync(_durable.Client, _target, "evt-1", CancellationToken.None);

        Assert.Equal(StartOutcome.Skipped, second.Outcome);
        Assert.Equal(SkipReasons.DuplicateEvent, second.Reason);
        Assert.Single(_durable.Scheduled);
        Assert.Equal(("llama-prod", "deployment", SkipReasons.DuplicateEvent), (_events.Skipped[0].Target, _events.Skipped[0].Trigger, _events.Skipped[0].Reason));
    }

    [Fact]
    public async Task Another_event_within_the_debounce_window_is_the_same_deployment()
    {
        await _starter.StartForDeploymentAsync(_durable.Client, _target, "evt-1", CancellationToken.None);
        _durable.Put(Id, OrchestrationRuntimeStatus.Running, _time.GetUtcNow(), _durable.Scheduled[0].Request);
        _time.Advance(TimeSpan.FromSeconds(30));

        var second = await _starter.StartForDeploymentAsync(_durable.Client, _target, "evt-2", CancellationToken.None);

        Assert.Equal(SkipReasons.Debounced, second.Reason);
        Assert.Single(_durable.Scheduled);
        Assert.DoesNotContain(_durable.Calls, c => c.StartsWith("terminate:"));
    }

    [Theory]
    [InlineData(WarmupReasons.Idle)]
    [InlineData(WarmupReasons.Manual)]
    public async Task A_young_idle_or_manual_warmup_is_restarted_by_a_deployment_not_debounced(string reason)
    {
        _durable.Put(Id, OrchestrationRuntimeStatus.Running, _time.GetUtcNow(), new WarmupRequest("llama-prod", reason, PlanSpec.FromPreset(PlanPresets.Light), "run-1"));
        _time.Advance(TimeSpan.FromSeconds(5));

        var result = await _starter.StartForDeploymentAsync(_durable.Client, _target, "evt-1", CancellationToken.None);

        Assert.Equal(StartOutcome.Restarted, result.Outcome);
        Assert.Equal([$"get:{Id}", $"raise:{Id}:cancel", $"wait:{Id}", $"schedule:{Id}"], _durable.Calls);
        Assert.Equal((WarmupReasons.Deployment, "evt-1"), (_durable.Scheduled.Single().Request.Reason, _durable.Scheduled.Single().Request.CorrelationId));
    }

    [Fact]
    public async Task A_later_deployment_cancels_the_running_warmup_then_schedules_a_new_one()
    {
        _durable.Put(Id, OrchestrationRuntimeStatus.Running, _time.GetUtcNow(), new WarmupRequest("llama-prod", WarmupReasons.Deployment, PlanSpec.FromPreset(PlanPresets.Full), "evt-1"));
        _time.Advance(TimeSpan.FromMinutes(5));

        var result = await _starter.StartForDeploymentAsync(_durable.Client, _target, "evt-2", CancellationToken.None);

        Assert.Equal(StartOutcome.Restarted, result.Outcome);
        // Cancelled through its cancel event (so its run records a report), never terminated.
        Assert.Equal([$"get:{Id}", $"raise:{Id}:cancel", $"wait:{Id}", $"schedule:{Id}"], _durable.Calls);
        Assert.Equal((Id, RunCancellation.EventName), (_durable.RaisedEvents.Single().InstanceId, _durable.RaisedEvents.Single().Name));
        Assert.Contains("evt-2", _durable.RaisedEvents.Single().Payload);
        Assert.Equal("evt-2", _durable.Scheduled.Single().Request.CorrelationId);
    }

    [Fact]
    public async Task A_warmup_that_ignores_its_cancel_event_is_terminated_with_its_runs_then_replaced()
    {
        _durable.Put(Id, OrchestrationRuntimeStatus.Running, _time.GetUtcNow(), new WarmupRequest("llama-prod", WarmupReasons.Deployment, PlanSpec.FromPreset(PlanPresets.Full), "evt-1"));
        _time.Advance(TimeSpan.FromMinutes(5));
        _durable.CancelCompletes = false;

        var result = await _starter.StartForDeploymentAsync(_durable.Client, _target, "evt-2", CancellationToken.None);

        Assert.Equal(StartOutcome.Restarted, result.Outcome);
        Assert.Equal([$"get:{Id}", $"raise:{Id}:cancel", $"wait:{Id}", $"terminate:{Id}", $"wait:{Id}", $"schedule:{Id}"], _durable.Calls);
        Assert.True(_durable.TerminateOptions.Single()!.Recursive);
        Assert.Contains("evt-2", _durable.TerminateOutputs.Single());
    }

    [Fact]
    public async Task A_restart_whose_termination_never_lands_fails_so_the_event_is_retried()
    {
        _durable.Put(Id, OrchestrationRuntimeStatus.Running, _time.GetUtcNow(), null);
        _time.Advance(TimeSpan.FromMinutes(5));
        _durable.CancelCompletes = false;
        _durable.TerminationCompletes = false;

        var ex = await Assert.ThrowsAsync<TimeoutException>(() => _starter.StartForDeploymentAsync(_durable.Client, _target, "evt-2", CancellationToken.None));

        Assert.Contains("did not stop", ex.Message);
        Assert.Empty(_durable.Scheduled);
    }

    [Fact]
    public async Task Deployment_after_a_finished_warmup_starts_without_terminating()
    {
        _durable.Put(Id, OrchestrationRuntimeStatus.Completed, _time.GetUtcNow(), new WarmupRequest("llama-prod", WarmupReasons.Idle, PlanSpec.FromPreset(PlanPresets.Light), "c0"));

        var result = await _starter.StartForDeploymentAsync(_durable.Client, _target, "evt-3", CancellationToken.None);

        Assert.Equal(StartOutcome.Started, result.Outcome);
        Assert.DoesNotContain(_durable.Calls, c => c.StartsWith("terminate:"));
    }

    [Fact]
    public async Task Losing_the_start_race_is_reported_as_already_warming()
    {
        _durable.ScheduleFailure = id => new OrchestrationAlreadyExistsException($"An orchestration with id '{id}' already exists");

        var manual = await _starter.StartManualAsync(_durable.Client, _target, PlanSpec.FromPreset(PlanPresets.Light), 1.2, CancellationToken.None);
        var deployment = await _starter.StartForDeploymentAsync(_durable.Client, _target, "evt-9", CancellationToken.None);

        Assert.Equal((StartOutcome.Skipped, SkipReasons.AlreadyWarming), (manual.Outcome, manual.Reason));
        Assert.Equal((StartOutcome.Skipped, SkipReasons.AlreadyWarming), (deployment.Outcome, deployment.Reason));
    }

    [Fact]
    public async Task Grpc_already_exists_counts_as_a_lost_race_too()
    {
        _durable.ScheduleFailure = _ => new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.AlreadyExists, "exists"));

        var idle = await _starter.StartForIdleAsync(_durable.Client, _target, "idle", CancellationToken.None);

        Assert.Equal(SkipReasons.AlreadyWarming, idle.Reason);
    }

    [Fact]
    public async Task Other_scheduling_failures_propagate()
    {
        _durable.ScheduleFailure = _ => new InvalidOperationException("task hub unavailable");

        await Assert.ThrowsAsync<InvalidOperationException>(() => _starter.StartForDeploymentAsync(_durable.Client, _target, "evt-1", CancellationToken.None));
    }

    [Theory]
    [InlineData(OrchestrationRuntimeStatus.Pending)]
    [InlineData(OrchestrationRuntimeStatus.Running)]
    [InlineData(OrchestrationRuntimeStatus.Suspended)]
    public async Task Manual_and_idle_refuse_while_warming(OrchestrationRuntimeStatus status)
    {
        _durable.Put(Id, status, _time.GetUtcNow(), null);

        var manual = await _starter.StartManualAsync(_durable.Client, _target, PlanSpec.FromPreset(PlanPresets.Full), 1.2, CancellationToken.None);
        var idle = await _starter.StartForIdleAsync(_durable.Client, _target, "idle", CancellationToken.None);

        Assert.Equal(SkipReasons.AlreadyWarming, manual.Reason);
        Assert.Contains("already warming", manual.Detail);
        Assert.Equal(SkipReasons.AlreadyWarming, idle.Reason);
        Assert.Empty(_durable.Scheduled);
        Assert.DoesNotContain(_durable.Calls, c => c.StartsWith("terminate:"));
    }

    [Fact]
    public async Task Idle_starts_the_light_plan_and_manual_passes_plan_and_threshold()
    {
        await _starter.StartForIdleAsync(_durable.Client, _target, "idle", CancellationToken.None);
        _durable.Put(Id, OrchestrationRuntimeStatus.Completed, _time.GetUtcNow(), null);
        var steps = PlanSpec.FromSteps("mine", [new PlanStep(128, 16, 2)]);
        await _starter.StartManualAsync(_durable.Client, _target, steps, 1.5, CancellationToken.None);

        Assert.Equal((WarmupReasons.Idle, PlanPresets.Light), (_durable.Scheduled[0].Request.Reason, _durable.Scheduled[0].Request.Plan.Preset));
        Assert.Equal(WarmupReasons.Manual, _durable.Scheduled[1].Request.Reason);
        Assert.Same(steps, _durable.Scheduled[1].Request.Plan);
        Assert.Equal(1.5, _durable.Scheduled[1].Request.Threshold);
    }
}
