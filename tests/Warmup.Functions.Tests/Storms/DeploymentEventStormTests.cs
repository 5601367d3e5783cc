using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Warmup.Cli.Hosting;
using Warmup.Core.Orchestration;
using Warmup.Core.Readiness;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;
using Warmup.Functions.Configuration;
using Warmup.Functions.Events;
using Warmup.Functions.Starting;
using Warmup.Functions.Telemetry;
using Warmup.Functions.Triggers;

namespace Warmup.Functions.Tests.Storms;

/// <summary>
/// The burst one rollout emits, at scale: 50 targets x 5 deployment events, every event in one of both schemas, two of each
/// target's five redelivered, all shuffled, fed to four queue consumers at once (the real DeploymentQueueTrigger,
/// DeploymentEventProcessor and WarmupStarter) against the in-process Durable engine running the real orchestration.
/// Event payloads are written by Warmup from the published Event Grid and CloudEvents formats (ResourceWriteSuccess).
/// The targets never become ready within the test, so every warm-up stays running and later events meet it.
/// </summary>
public sealed class DeploymentEventStormTests
{
    private const int Targets = 50;
    private const int EventsPerTarget = 5;
    private const int Redelivered = 2;
    private const int Consumers = 4;

    [Fact]
    public async Task Every_target_gets_exactly_one_warm_up_and_every_other_event_is_recorded_as_duplicate_or_debounced()
    {
        var targets = Enumerable.Range(0, Targets).Select(i => new WarmupTarget
        {
            Name = $"t{i:D2}",
            BaseUrl = new Uri("http://127.0.0.1:9/"), // nothing listens: readiness keeps polling
            Model = "m",
            EventRules = [new EventMatchRule { ResourceIdPrefix = ResourceId(i) }],
            Limits = new TargetLimits { ReadyDeadline = TimeSpan.FromMinutes(2) },
        }).ToList();
        var catalog = new TargetCatalog(targets);
        await using var host = await FreePortTestHost.StartAsync(
            registry => registry.AddWarmupTasks(),
            port => new DurableTaskTestHostOptions
            {
                Port = port,
                ConfigureServices = services =>
                {
                    // 50 refused targets polled every 50 ms would load the machine for nothing here.
                    services.AddSingleton(sp => new ReadinessGate(
                        sp.GetRequiredService<HttpClient>(), sp.GetRequiredService<IRequestAuthenticator>(), TimeProvider.System,
                        ReadinessGateOptions.Default with { RefusedPollInterval = TimeSpan.FromSeconds(1) }));
                    services.AddWarmupEngine();
                    services.AddSingleton<ITargetCatalog>(catalog);
                },
            });
        var sink = new ConcurrentEventSink();
        var starter = new WarmupStarter(new WarmupOptions(), sink, TimeProvider.System, NullLogger<WarmupStarter>.Instance);
        var processor = new DeploymentEventProcessor(new DeploymentEventMatcher(catalog), starter, sink);

        var random = new Random(1234);
        var messages = new List<(string Target, string EventId, string Json)>();
        for (var t = 0; t < Targets; t++)
        {
            for (var e = 0; e < EventsPerTarget; e++)
            {
                var id = $"{t:D2}-{e}-{Guid.NewGuid():N}";
                var json = (t + e) % 2 == 0 ? EventGridEvent(id, ResourceId(t)) : CloudEvent(id, ResourceId(t));
                messages.Add((targets[t].Name, id, json));
                if (e < Redelivered)
                {
                    messages.Add((targets[t].Name, id, json)); // at-least-once delivery: the same event again
                }
            }
        }

        var queue = new ConcurrentQueue<(string Target, string EventId, string Json)>(messages.OrderBy(_ => random.Next()));
        var outcomes = new ConcurrentBag<EventOutcome>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Consumers).Select(_ => Task.Run(async () =>
        {
            var consumer = new DeploymentQueueTrigger(processor, TimeProvider.System, NullLogger<DeploymentQueueTrigger>.Instance);
            while (queue.TryDequeue(out var message))
            {
                var result = await consumer.HandleAsync(message.Json, host.Client, CancellationToken.None);
                Assert.Null(result.DeadLetter);
                foreach (var outcome in result.Summary!.Events)
                {
                    outcomes.Add(outcome);
                }
            }
        })));
        clock.Stop();

        try
        {
            // None lost: one outcome per delivered message.
            Assert.Equal(messages.Count, outcomes.Count);
            // A guard against a storm that never settles, not a speed test (that belongs in bench/): generous for a loaded CI machine.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the storm took {clock.Elapsed} to absorb");
            foreach (var target in targets)
            {
                var mine = outcomes.Where(o => o.Target == target.Name).ToList();
                Assert.Equal(EventsPerTarget + Redelivered, mine.Count);
                var started = Assert.Single(mine, o => o.Result == EventOutcome.Started);
                Assert.DoesNotContain(mine, o => o.Result == EventOutcome.Restarted);
                Assert.All(mine.Where(o => o != started), o =>
                {
                    Assert.Equal(EventOutcome.Skipped, o.Result);
                    Assert.Contains(o.Reason, new[] { SkipReasons.DuplicateEvent, SkipReasons.Debounced, SkipReasons.AlreadyWarming });
                });

                // The one running warm-up is the started event's.
                var instance = await host.Client.GetInstanceAsync(TaskNames.InstanceIdFor(target.Name), getInputsAndOutputs: true);
                Assert.NotNull(instance);
                Assert.True(WarmupStarter.IsActive(instance), $"{target.Name}: {instance!.RuntimeStatus}");
                Assert.Equal(started.EventId, instance.ReadInputAs<WarmupRequest>()!.CorrelationId);
            }

            Assert.Equal(Targets * (EventsPerTarget + Redelivered - 1), sink.Skipped.Count);
        }
        finally
        {
            foreach (var target in targets)
            {
                await host.Client.TerminateInstanceAsync(TaskNames.InstanceIdFor(target.Name), "test over");
            }
        }
    }

    private static string ResourceId(int target)
        => $"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/onlineEndpoints/e{target:D2}";

    private static string EventGridEvent(string id, string resourceId) => new JsonObject
    {
        ["id"] = id,
        ["topic"] = "/subscriptions/00000000-0000-0000-0000-000000000000",
        ["subject"] = resourceId,
        ["eventType"] = "Microsoft.Resources.ResourceWriteSuccess",
        ["eventTime"] = "2026-03-01T12:00:00Z",
        ["data"] = new JsonObject { ["resourceUri"] = resourceId, ["operationName"] = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments/write", ["status"] = "Succeeded" },
        ["dataVersion"] = "2",
        ["metadataVersion"] = "1",
    }.ToJsonString();

    private static string CloudEvent(string id, string resourceId) => new JsonObject
    {
        ["specversion"] = "1.0",
        ["id"] = id,
        ["source"] = "/subscriptions/00000000-0000-0000-0000-000000000000",
        ["subject"] = resourceId,
        ["type"] = "Microsoft.Resources.ResourceWriteSuccess",
        ["time"] = "2026-03-01T12:00:00Z",
        ["datacontenttype"] = "application/json",
        ["data"] = new JsonObject { ["resourceUri"] = resourceId, ["operationName"] = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments/write", ["status"] = "Succeeded" },
    }.ToJsonString();

    private sealed class ConcurrentEventSink : IWarmupEventSink
    {
        public ConcurrentBag<(string Target, string Reason)> Skipped { get; } = [];

        public ConcurrentBag<string> Ignored { get; } = [];

        public void WarmupSkipped(string target, string trigger, string reason, string detail) => Skipped.Add((target, reason));

        public void DeploymentEventIgnored(string eventId, string eventType, string subject, string reason, string detail) => Ignored.Add(eventId);
    }
}
