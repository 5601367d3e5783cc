using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Warmup.Core.Orchestration;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;
using Warmup.Functions.Configuration;
using Warmup.Functions.Idle;
using Warmup.Functions.Starting;
using Warmup.Functions.Telemetry;

namespace Warmup.Functions.Triggers;

/// <summary>What the idle timer did with one target.</summary>
/// <param name="Result">"started", "skipped" or "error".</param>
public sealed record IdleCheckResult(string Target, string Result, string Reason, string Detail);

/// <summary>
/// Idle re-warm on a timer (%WARMUP_IDLE_SCHEDULE%, hourly by default, UTC). For each target: skip when already warming
/// or busy, skip when used or warmed recently (<see cref="IdlePolicy"/>), otherwise start a light warm-up; the
/// orchestration escalates to the default (adaptive) plan itself when the light run's verdict is not warm (<c>WarmupEscalation</c>).
/// One failing target is logged and never stops the others; targets are checked in parallel, at most
/// <see cref="MaxParallelChecks"/> at once.
/// </summary>
public sealed partial class IdleRewarmTimer(
    ITargetCatalog catalog,
    IServerLoadReader loads,
    IIdleStateStore observations,
    WarmupStarter starter,
    IWarmupEventSink events,
    WarmupOptions options,
    TimeProvider time,
    ILogger<IdleRewarmTimer> logger,
    ObservedTrafficRecorder? traffic = null)
{
    public const string FunctionName = "IdleRewarm";

    [Function(FunctionName)]
    public Task Run(
        [TimerTrigger("%" + AppSettingNames.IdleSchedule + "%")] TimerInfo timer,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) => CheckAllAsync(client, cancellationToken);

    /// <summary>
    /// Targets checked at once. Bounded so a tick over many targets does not open a burst of metrics scrapes and
    /// Durable queries; parallel so one slow target (a metrics scrape waits up to its 10 s timeout) does not hold up the
    /// others past the tick.
    /// </summary>
    public const int MaxParallelChecks = 8;

    public async Task<IReadOnlyList<IdleCheckResult>> CheckAllAsync(DurableTaskClient client, CancellationToken cancellationToken)
    {
        var targets = catalog.Targets;
        var results = new IdleCheckResult[targets.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = MaxParallelChecks, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, targets.Count), parallel, async (i, ct) =>
        {
            var target = targets[i];
            try
            {
                results[i] = await CheckAsync(client, target, ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                LogCheckFailed(logger, target.Name, ex.GetType().Name, ex.Message);
                results[i] = new IdleCheckResult(target.Name, "error", ex.GetType().Name, ex.Message);
            }
        });
        return results;
    }

    public async Task<IdleCheckResult> CheckAsync(DurableTaskClient client, WarmupTarget target, CancellationToken cancellationToken)
    {
        var instance = await client.GetInstanceAsync(TaskNames.InstanceIdFor(target.Name), getInputsAndOutputs: true, cancellationToken);
        if (WarmupStarter.IsActive(instance))
        {
            return Skip(target, SkipReasons.AlreadyWarming, $"{instance!.InstanceId} is {instance.RuntimeStatus}");
        }

        var previous = await observations.GetAsync(client, target.Name, cancellationToken);
        var load = await loads.ReadAsync(target, cancellationToken);
        var now = time.GetUtcNow();
        if (traffic is not null)
        {
            // Users' prompt lengths and peak concurrency, for the next adaptive plan to cover first.
            await traffic.RecordAsync(client, target, load, now, cancellationToken);
        }

        var decision = IdlePolicy.Decide(load, previous, LastWarmupOf(instance), now, options.IdleWindow);

        await observations.SaveAsync(client, new IdleObservation { Target = target.Name, CheckedAt = now, RequestsCompleted = load?.RequestsCompleted }, cancellationToken);

        if (!decision.ShouldWarm)
        {
            return Skip(target, decision.Reason, decision.Detail);
        }

        var started = await starter.StartForIdleAsync(client, target, decision.Detail, cancellationToken);
        return started.IsStarted
            ? new IdleCheckResult(target.Name, "started", IdleDecision.Idle, started.Detail)
            : new IdleCheckResult(target.Name, "skipped", started.Reason ?? SkipReasons.AlreadyWarming, started.Detail);
    }

    internal static LastWarmup? LastWarmupOf(OrchestrationMetadata? instance)
    {
        if (instance is null)
        {
            return null;
        }

        RunTotals? totals = null;
        if (instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed && !string.IsNullOrEmpty(instance.SerializedOutput))
        {
            try
            {
                totals = instance.ReadOutputAs<WarmupReport>()?.Totals;
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or NotSupportedException)
            {
                totals = null;
            }
        }
        return new LastWarmup(instance.CreatedAt, instance.LastUpdatedAt, instance.RuntimeStatus, totals?.Requests, totals?.OutputTokens);
    }

    private IdleCheckResult Skip(WarmupTarget target, string reason, string detail)
    {
        events.WarmupSkipped(target.Name, WarmupReasons.Idle, reason, detail);
        return new IdleCheckResult(target.Name, "skipped", reason, detail);
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Error, Message = "Idle check of target {Target} failed ({ErrorType}: {Problem}); the other targets were still checked")]
    private static partial void LogCheckFailed(ILogger logger, string target, string errorType, string problem);
}
