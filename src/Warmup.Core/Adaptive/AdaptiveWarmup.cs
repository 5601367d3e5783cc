using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Warmup.Core.Analysis;
using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Readiness;
using Warmup.Core.Reliability;
using Warmup.Core.Reporting;

namespace Warmup.Core.Adaptive;

/// <summary>
/// The adaptive preset inside the one-run orchestration: rounds of (plan levels, verification with the user-like mix
/// and fresh salts) until the verdict is warm or a budget ends the loop (<see cref="AdaptiveBudget"/>), then the learned
/// shape map is kept for the next run. Every round is ordinary activities of this run, so it survives restarts and
/// shows its progress; a round adds one PlanRound, its steps and one Verify to the history (a few hundred events for
/// five rounds), far from the size where ContinueAsNew would pay. Deterministic: time from the context only.
/// </summary>
public static class AdaptiveWarmup
{
    public static bool Handles(PlanSpec plan)
        => plan.Steps is null && string.Equals(plan.Preset, PlanPresets.Adaptive, StringComparison.Ordinal);

    public static async Task RunAsync(
        TaskOrchestrationContext context, WarmupRequest input, ReadinessResult readiness, ReportBuilder report, RunCancellation cancellation)
    {
        var log = context.CreateReplaySafeLogger(typeof(AdaptiveWarmup).FullName!);
        var started = context.CurrentUtcDateTime;
        var duration = AdaptiveBudget.DurationFor(input.Plan);
        var longest = RoundPlanner.Longest(readiness.MaxContext);
        context.SetCustomStatus(new WarmupProgress("plan", 0, 0, "planning round 1 (the learned shape map, else the coarse ladder)"));
        var round = await cancellation.RaceAsync(PlanRoundAsync(context, input, readiness, null));
        var state = round.State;
        var fromMap = state.FromShapeMap;
        var rounds = new List<RoundReport>();
        report.WithPlan(round.Plan);
        var stop = round.Stop;
        Verdict? verdict = null;
        // Every step this run has sent, in order: what a server that restarted has lost.
        var sent = new List<PlanStep>();
        // Bounded: every round either ends the loop or plans the next, and the planner stops at the round limit.
        while (stop is null)
        {
            var number = round.State.Round + 1;
            var outages = report.OutageCount;
            var discarded = report.DiscardedTokens;
            foreach (var step in round.Plan.Steps.Where(s => !sent.Contains(s)))
            {
                sent.Add(step);
            }

            var steps = await WarmupOrchestrator.RunLevelsAsync(
                context, input, round.Plan, context.NewGuid().ToString("N"), report, cancellation, round.MaxInFlight, $"round {number}");
            var replayed = new List<StepResult>();
            var resendNotes = new List<string>();
            if (steps is not null && report.MayHaveRestarted(outages)
                && !await SendAgainAsync(context, input, round, steps, sent, replayed, resendNotes, report, discarded, cancellation))
            {
                steps = null;
            }

            if (steps is null)
            {
                // A guard ended the run (busy with users, too many failures): its outcome and error say why.
                stop = LoopStops.EndedEarly;
                break;
            }

            // A probe-only round has no verification of its own: the last verdict stands (its rungs only add warm buckets).
            var verified = round.ProbeOnly && verdict is not null
                ? new VerificationResultSummary(0, 0, verdict)
                : await VerifyAsync(
                    context, input, readiness, round, number, report, cancellation,
                    () => SendAgainAsync(context, input, round, steps, sent, replayed, resendNotes, report, discarded, cancellation));
            if (verified is null)
            {
                stop = LoopStops.EndedEarly;
                break;
            }

            verdict = verified.Verdict;
            // What the round learned comes from its own steps; the steps sent again after an outage, and the results an
            // outage made it throw away, only count as cost.
            var tokens = steps.Concat(replayed).Sum(s => s.PromptTokens + s.OutputTokens) + verified.Tokens + report.DiscardedTokens - discarded;
            state = RoundFindings.Record(round.State, round, verdict, tokens, longest, steps);
            if (replayed.Count > 0)
            {
                state = state with { Notes = [.. state.Notes, $"round {number}: the server restarted, or may have (see outages), and a restarted server has lost what it compiled, so the steps this run had sent were sent again ({replayed.Sum(s => s.Requests)} requests) before the verification"] };
            }

            state = state with { Notes = [.. state.Notes, .. resendNotes.Select(n => $"round {number}: {n}")] };

            rounds.Add(RoundReport.From(number, [.. steps, .. replayed], verified, state.ColdShapes.Where(c => c.FoundInRound == number).ToList()));
            log.LogInformation("Adaptive warm-up of {Target}, round {Round}: warm={IsWarm} ({Reason})", input.Target, number, verdict.IsWarm, verdict.Reason);

            // A warm verdict still sends the rungs where a whole bucket may lie unseen (HiddenBuckets), budgets allowing.
            var warm = verdict.IsWarm;
            if (warm && state.Midpoints.Count == 0)
            {
                stop = LoopStops.Warm;
            }
            else if (context.CurrentUtcDateTime - started >= duration)
            {
                (stop, state) = warm ? (LoopStops.Warm, MidpointsLeft(state, state.Midpoints.Count, LoopStops.Time)) : (LoopStops.Time, state);
            }
            else
            {
                context.SetCustomStatus(new WarmupProgress("plan", 0, 0, warm
                    ? $"planning round {number + 1}: {state.Midpoints.Count} rungs where a bucket may lie unseen"
                    : $"planning round {number + 1}: refining around {rounds[^1].ColdFound.Count} cold shapes"));
                round = await cancellation.RaceAsync(PlanRoundAsync(context, input, readiness, state));
                stop = round.Stop;
                if (stop is not null)
                {
                    (stop, state) = warm ? (LoopStops.Warm, MidpointsLeft(round.State, state.Midpoints.Count, stop)) : (stop, round.State);
                }
            }
        }

        report.WithAdaptive(new AdaptiveReport
        {
            StoppedBy = stop,
            Rounds = rounds,
            ColdShapes = state.ColdShapes,
            StillCold = state.ColdShapes.Where(c => c.WarmedInRound is null).Select(c => c.Describe()).ToList(),
            FromShapeMap = fromMap,
            TokensSpent = state.TokensSpent,
            TokenBudget = round.TokenBudget,
            MaxRounds = round.MaxRounds,
            MaxDurationSeconds = duration.TotalSeconds,
            Spacing = state.Spacing,
            SpacingRatio = state.SpacingRatio is { } ratio ? Math.Round(ratio, 3) : null,
        }, state.Notes);
        if (state.AdapterChoice is { } adapters)
        {
            report.WithAdapters(AdapterReport.From(adapters));
        }

        if (stop == LoopStops.EndedEarly)
        {
            return;
        }

        if (rounds.Count == 0)
        {
            // Not even round 1 could run: say why where the verdict would have been.
            report.WithVerdictOnly(new Verdict(null, null, null, input.Threshold, false, $"the adaptive loop did not start ({stop}): {state.Notes.LastOrDefault()}"));
            return;
        }

        if (stop != LoopStops.Warm)
        {
            log.LogWarning("Adaptive warm-up of {Target} stopped by {Stop} after {Rounds} rounds, still cold: {StillCold}",
                input.Target, stop, rounds.Count, string.Join("; ", state.ColdShapes.Where(c => c.WarmedInRound is null).Select(c => c.Describe())));
        }

        await cancellation.RaceAsync(context.CallActivityAsync<Warmup.Core.ShapeMaps.ShapeMap>(
            TaskNames.SaveShapeMap,
            new SaveShapeMapInput(input.Target, readiness.MaxContext, state, stop == LoopStops.Warm, context.CurrentUtcDateTime),
            ActivityRetry.Options));
    }

    /// <summary>
    /// After the server stopped answering and came back, maybe restarted: every step of this run again
    /// (<see cref="WarmupOrchestrator.SendAgainAsync"/>), as many as fit what is left of the loop's budget with the
    /// round's verification set aside (<see cref="ResendBudget"/>, whose note goes to <paramref name="notes"/>), their
    /// results added to <paramref name="replayed"/>. <paramref name="discardedBefore"/>: the report's discarded tokens
    /// when the round began. False when a guard ended the run.
    /// </summary>
    private static async Task<bool> SendAgainAsync(
        TaskOrchestrationContext context, WarmupRequest input, RoundPlan round, IReadOnlyList<StepResult> roundSteps, IReadOnlyList<PlanStep> sent,
        List<StepResult> replayed, List<string> notes, ReportBuilder report, long discardedBefore, RunCancellation cancellation)
    {
        long TokensLeft(IReadOnlyList<StepResult> passes)
        {
            var spent = round.State.TokensSpent + roundSteps.Concat(replayed).Concat(passes).Sum(s => s.PromptTokens + s.OutputTokens)
                        + report.DiscardedTokens - discardedBefore;
            return round.TokenBudget - spent - round.Mix.TokenCost;
        }

        var again = await WarmupOrchestrator.SendAgainAsync(
            context, input, sent, TokensLeft, notes.Add, report, cancellation, round.MaxInFlight, $"round {round.State.Round + 1}");
        replayed.AddRange(again ?? []);
        return again is not null;
    }

    /// <summary>
    /// The round's verification, recorded in the report; null when a run guard ended the run (the report says why).
    /// <paramref name="afterOutage"/> runs when the server went away during it and came back, before it is run again.
    /// </summary>
    private static async Task<VerificationResultSummary?> VerifyAsync(
        TaskOrchestrationContext context, WarmupRequest input, ReadinessResult readiness, RoundPlan round, int number, ReportBuilder report, RunCancellation cancellation,
        Func<Task<bool>> afterOutage)
    {
        context.SetCustomStatus(new WarmupProgress(
            Phases.Verify, round.Plan.Steps.Count, round.Plan.Steps.Count,
            $"round {number}: verifying {round.Mix.PromptLengths.Count} lengths, {round.Mix.Adapters.Count} adapters and bursts of {string.Join(", ", round.Mix.Concurrencies)}"));
        var verification = await WarmupOrchestrator.VerifyAsync(
            context,
            input,
            salt => new VerifyInput(input.Target, round.Plan, readiness.MaxContext, input.Threshold, salt, input.CorrelationId, input.TraceParent, round.Mix),
            report,
            cancellation,
            afterOutage);
        if (verification is null)
        {
            return null;
        }

        var tokens = verification.FirstUserLike.PromptTokens + verification.FirstUserLike.OutputTokens
            + verification.Steady.PromptTokens + verification.Steady.OutputTokens;
        return new VerificationResultSummary(verification.FirstUserLike.Requests + verification.Steady.Requests, tokens, verification.Verdict);
    }

    private static AdaptiveState MidpointsLeft(AdaptiveState state, int midpoints, string why)
        => state with { Notes = [.. state.Notes, $"the verdict was warm, but {midpoints} rungs where a bucket may lie unseen were not sent ({why})"] };

    private static Task<RoundPlan> PlanRoundAsync(TaskOrchestrationContext context, WarmupRequest input, ReadinessResult readiness, AdaptiveState? state)
        => context.CallActivityAsync<RoundPlan>(
            TaskNames.PlanRound, new PlanRoundInput(input.Target, input.Plan, readiness.MaxContext, state), ActivityRetry.Options);
}
