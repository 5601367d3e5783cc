using System.Globalization;
using Microsoft.DurableTask.Client;
using Warmup.Core.Dialects;
using Warmup.Functions.Starting;

namespace Warmup.Functions.Idle;

/// <summary>The target's last warm-up as its orchestration instance tells it.</summary>
/// <param name="Requests">Requests the run sent (report totals); null when the run produced no report.</param>
/// <param name="OutputTokens">Tokens the run generated (report totals); null when the run produced no report.</param>
public sealed record LastWarmup(DateTimeOffset CreatedAt, DateTimeOffset LastUpdatedAt, OrchestrationRuntimeStatus Status, int? Requests, long? OutputTokens = null);

/// <summary>The idle timer's verdict for one target.</summary>
/// <param name="Reason">"idle" when a warm-up should start, otherwise a <see cref="SkipReasons"/> value.</param>
public sealed record IdleDecision(bool ShouldWarm, string Reason, string Detail)
{
    public const string Idle = "idle";
}

/// <summary>
/// Decides whether a target is idle. Busy (requests running or waiting now) always skips. A warm-up that completed
/// within the idle window skips. With metrics and a previous observation, the completed-requests counter must not have
/// grown by more than Warmup's own requests since that observation (user traffic keeps the endpoint warm); a counter
/// that went down means the server restarted, which is idle and cold. Without metrics (or on the first observation) the
/// idle window alone decides.
/// </summary>
public static class IdlePolicy
{
    public static IdleDecision Decide(ServerLoad? load, IdleObservation? previous, LastWarmup? lastWarmup, DateTimeOffset now, TimeSpan idleWindow)
    {
        if (load is { } busy && (busy.Running > 0 || busy.Waiting > 0))
        {
            return new(false, SkipReasons.Busy, $"{Count(busy.Running)} requests running, {Count(busy.Waiting)} waiting");
        }

        if (lastWarmup is { Status: OrchestrationRuntimeStatus.Completed } done && now - done.LastUpdatedAt < idleWindow)
        {
            return new(false, SkipReasons.RecentlyWarmed,
                $"last warm-up completed {(now - done.LastUpdatedAt).TotalMinutes:F0} min ago (idle window {idleWindow.TotalMinutes:F0} min)");
        }

        if (load is not null && previous?.RequestsCompleted is { } before)
        {
            var delta = load.RequestsCompleted - before;
            if (delta < 0)
            {
                return new(true, IdleDecision.Idle, $"completed-requests counter fell from {Count(before)} to {Count(load.RequestsCompleted)}: the server restarted");
            }

            // Warmup's own share since the last check is that of a run created after it (the instance keeps the latest run).
            var own = lastWarmup is not null && lastWarmup.CreatedAt >= previous.CheckedAt ? OwnShare(load, lastWarmup) : 0;
            var users = delta - own;
            if (users > 0)
            {
                return new(false, SkipReasons.RecentlyUsed, $"{Count(users)} more {Unit(load)} than Warmup's own since {previous.CheckedAt:O}");
            }

            return new(true, IdleDecision.Idle, $"no user traffic since {previous.CheckedAt:O} ({Count(delta)} {Unit(load)}, {Count(own)} of them Warmup's)");
        }

        var basis = load is null ? "the target has no readable metrics" : "first observation of its metrics";
        var last = lastWarmup is null ? "no warm-up on record" : $"last warm-up {lastWarmup.Status} at {lastWarmup.LastUpdatedAt:O}";
        return new(true, IdleDecision.Idle, $"{last}, outside the idle window of {idleWindow.TotalMinutes:F0} min ({basis})");
    }

    // Servers without a finished-requests counter (llama.cpp) count generated tokens instead; compare like with like.
    private static double OwnShare(ServerLoad load, LastWarmup run) =>
        ServerLoad.CountsTokens(load.ActivityCounter) ? run.OutputTokens ?? 0 : run.Requests ?? 0;

    private static string Unit(ServerLoad load) => load.ActivityCounter ?? "completed requests";

    private static string Count(double value) => value.ToString("0", CultureInfo.InvariantCulture);
}
