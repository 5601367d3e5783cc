using Microsoft.DurableTask.Client;
using Warmup.Functions.Starting;
using Warmup.Functions.Telemetry;

namespace Warmup.Functions.Events;

/// <summary>What happened to one (event, target) pair, or to an event that matched nothing.</summary>
public sealed record EventOutcome(string EventId, string EventType, string Result, string? Target, string? InstanceId, string? Reason, string Detail)
{
    public const string Started = "started";
    public const string Restarted = "restarted";
    public const string Skipped = "skipped";
    public const string Ignored = "ignored";
}

/// <summary>Summary returned by the webhook and logged by the queue trigger.</summary>
public sealed record DeploymentSummary(int Started, int Restarted, int Skipped, int Ignored, IReadOnlyList<EventOutcome> Events)
{
    public static DeploymentSummary From(IReadOnlyList<EventOutcome> outcomes) => new(
        outcomes.Count(o => o.Result == EventOutcome.Started),
        outcomes.Count(o => o.Result == EventOutcome.Restarted),
        outcomes.Count(o => o.Result == EventOutcome.Skipped),
        outcomes.Count(o => o.Result == EventOutcome.Ignored),
        outcomes);
}

/// <summary>Matches deployment events to targets and starts (or skips) their warm-ups. Shared by the queue trigger and the webhook.</summary>
public sealed class DeploymentEventProcessor(DeploymentEventMatcher matcher, WarmupStarter starter, IWarmupEventSink events)
{
    public async Task<DeploymentSummary> ProcessAsync(DurableTaskClient client, IReadOnlyList<DeploymentEvent> batch, CancellationToken cancellationToken)
    {
        var outcomes = new List<EventOutcome>();
        var seen = new HashSet<(string EventId, string Target)>();
        foreach (var e in batch)
        {
            if (e.ValidationCode is not null)
            {
                // Only a webhook answers the handshake; on any other path the event means nothing.
                outcomes.Add(Ignore(e, IgnoreReasons.ValidationOnQueue, "subscription validation events need no action here"));
                continue;
            }

            var match = matcher.Match(e);
            if (match.IsIgnored)
            {
                outcomes.Add(Ignore(e, match.IgnoredReason!, match.Detail));
                continue;
            }

            foreach (var target in match.Targets)
            {
                if (!seen.Add((e.Id, target.Name)))
                {
                    var duplicate = new EventOutcome(e.Id, e.Type, EventOutcome.Skipped, target.Name, null, SkipReasons.DuplicateEvent, "the same event appears twice in this delivery");
                    events.WarmupSkipped(target.Name, Core.Orchestration.WarmupReasons.Deployment, SkipReasons.DuplicateEvent, duplicate.Detail);
                    outcomes.Add(duplicate);
                    continue;
                }
                var result = await starter.StartForDeploymentAsync(client, target, e.Id, cancellationToken);
                var status = result.Outcome switch
                {
                    StartOutcome.Started => EventOutcome.Started,
                    StartOutcome.Restarted => EventOutcome.Restarted,
                    _ => EventOutcome.Skipped,
                };
                outcomes.Add(new EventOutcome(e.Id, e.Type, status, target.Name, result.InstanceId, result.Reason, result.Detail));
            }
        }
        return DeploymentSummary.From(outcomes);
    }

    private EventOutcome Ignore(DeploymentEvent e, string reason, string detail)
    {
        events.DeploymentEventIgnored(e.Id, e.Type, e.Subject ?? e.ResourceId ?? "", reason, detail);
        return new EventOutcome(e.Id, e.Type, EventOutcome.Ignored, null, null, reason, detail);
    }
}
