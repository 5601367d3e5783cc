using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Warmup.Core.Targets;
using Warmup.Functions.Configuration;
using Warmup.Functions.Events;
using Warmup.Functions.Starting;
using Warmup.Functions.Triggers;

namespace Warmup.Functions.Tests.Support;

/// <summary>Real trigger classes and services over a Moq'd durable client and a fake clock.</summary>
internal sealed class TriggerFixture
{
    public TriggerFixture(ITargetCatalog? catalog = null)
    {
        Catalog = catalog ?? TestTargets.FixtureCatalog();
        Durable = new DurableClientFake(Time);
        Starter = new WarmupStarter(Options, Events, Time, NullLogger<WarmupStarter>.Instance);
        Processor = new DeploymentEventProcessor(new DeploymentEventMatcher(Catalog), Starter, Events);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    public WarmupOptions Options { get; } = new() { TerminationWait = TimeSpan.FromSeconds(2) };
    public RecordingEventSink Events { get; } = new();
    public ITargetCatalog Catalog { get; }
    public DurableClientFake Durable { get; }
    public WarmupStarter Starter { get; }
    public DeploymentEventProcessor Processor { get; }

    public FakeLogger<DeploymentQueueTrigger> QueueLog { get; } = new();

    public DeploymentQueueTrigger Queue() => new(Processor, Time, QueueLog);

    public DeploymentWebhook Webhook() => new(Processor, NullLogger<DeploymentWebhook>.Instance);

    public WarmupApi Api() => new(Catalog, Starter);
}
