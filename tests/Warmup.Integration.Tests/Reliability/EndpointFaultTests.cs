using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Warmup.Core.Adaptive;
using Warmup.Core.Planning;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;
using Warmup.Simulator;

namespace Warmup.Integration.Tests.Reliability;

/// <summary>
/// Every simulator fault mode through the whole orchestration (in-process Durable engine, real HTTP): the outcome class
/// in the report, the run's end state, and its wall time against its deadline.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class EndpointFaultTests
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_503_burst_is_counted_and_the_run_recovers_warm()
    {
        await using var simulator = await FaultRun.StartSimulatorAsync("503-burst:3");

        var (report, wall) = await FaultRun.RunAsync(FaultRun.Target(simulator, RequestTimeout));

        Assert.True(report.Outcome == RunOutcomes.Warm, $"{report.Outcome}: {report.Verdict?.Reason} {report.Error}");
        Assert.Equal(3, report.Totals.ErrorsByOutcome["HttpError:503"]);
        Assert.Equal(3, report.Steps.Count);
        Assert.Equal(4, report.Steps[2].Succeeded);
        Assert.True(wall < TimeSpan.FromSeconds(30), $"took {wall}");
    }

    [Fact]
    public async Task A_429_holds_the_next_request_to_the_target_for_its_Retry_After_and_the_wait_is_reported()
    {
        await using var simulator = await FaultRun.StartSimulatorAsync("429:1@first=1");

        var (report, _) = await FaultRun.RunAsync(FaultRun.Target(simulator, RequestTimeout));

        Assert.Equal(RunOutcomes.Warm, report.Outcome);
        Assert.Equal(1, report.Totals.ErrorsByOutcome["HttpError:429"]);
        var arrivals = simulator.Log.Snapshot().OrderBy(r => r.ArrivalUnixNs).ToList();
        Assert.Equal(429, arrivals[0].Status);
        var gapMs = (arrivals[1].ArrivalUnixNs - arrivals[0].ArrivalUnixNs) / 1e6;
        Assert.True(gapMs >= 1000, $"the next request came {gapMs:F0} ms after the 429 with Retry-After: 1");
        // Both requests of the second level waited, in another activity than the one that got the 429.
        Assert.Equal(2, report.Steps[1].RetryAfterWaits);
        Assert.Equal(2, report.Totals.RetryAfterWaits);
        // Each waited out what was left of the second when its level started: most of it, since the level starts right
        // after the 429, though how much went before (activity dispatch, the load scrape) and how late a timer wakes
        // depend on the machine's load (one CI run reported 3.4 s for the two).
        Assert.True(report.Totals.RetryAfterWaitMs >= 1000, $"waits reported: {report.Totals.RetryAfterWaitMs:F0} ms");
    }

    [Theory]
    [InlineData("hang:forever")]
    [InlineData("stall:30s@after=1")]
    public async Task A_server_that_hangs_or_stalls_aborts_the_run_after_three_timeouts_instead_of_waiting_out_every_request(string fault)
    {
        await using var simulator = await FaultRun.StartSimulatorAsync(fault);

        var (report, wall) = await FaultRun.RunAsync(FaultRun.Target(simulator, RequestTimeout));

        Assert.Equal(RunOutcomes.Aborted, report.Outcome);
        // Levels 1 and 2 (3 requests) each waited one timeout; level 3 and the verification were never sent.
        Assert.Equal(3, report.Totals.ErrorsByOutcome["Timeout"]);
        Assert.Equal(4, report.Totals.ErrorsByOutcome["NotSent"]);
        Assert.Null(report.FirstUserLike);
        Assert.Contains("abortFailedShare", report.Error, StringComparison.Ordinal);
        // Deadline: two levels of one request timeout each, plus engine overhead; not 7 + verification timeouts.
        Assert.True(wall < (2 * RequestTimeout) + TimeSpan.FromSeconds(8), $"took {wall}");
    }

    [Theory]
    [InlineData("reset@first=2", "ConnectionReset", 2)]
    [InlineData("malformed@first=1", "MalformedChunk", 1)]
    [InlineData("error-after-200@first=1", "StreamError", 1)]
    public async Task A_few_broken_streams_are_classified_and_the_run_completes_warm(string fault, string outcome, int count)
    {
        await using var simulator = await FaultRun.StartSimulatorAsync(fault);

        var (report, wall) = await FaultRun.RunAsync(FaultRun.Target(simulator, RequestTimeout));

        Assert.Equal(RunOutcomes.Warm, report.Outcome);
        Assert.Equal(count, report.Totals.ErrorsByOutcome[outcome]);
        Assert.Equal(count, report.Totals.Failed);
        Assert.NotNull(report.Steady);
        Assert.True(wall < TimeSpan.FromSeconds(30), $"took {wall}");
    }

    [Fact]
    public async Task A_server_that_fails_every_request_receives_ten_busy_answers_worth_not_the_whole_plan()
    {
        await using var simulator = await FaultRun.StartSimulatorAsync("503");

        var (report, _) = await FaultRun.RunAsync(FaultRun.Target(simulator, RequestTimeout));

        Assert.Equal(RunOutcomes.Aborted, report.Outcome);
        Assert.Equal(Core.Reliability.RunCircuit.MinBusyFailures, simulator.Log.Count);
        Assert.Equal(Core.Reliability.RunCircuit.MinBusyFailures, report.Totals.ErrorsByOutcome["HttpError:503"]);
        Assert.True(report.Totals.ErrorsByOutcome["NotSent"] > 0);
    }

    [Fact]
    public async Task A_server_that_dies_mid_run_and_comes_back_as_the_same_process_is_waited_for_and_only_the_level_is_resumed()
    {
        // The 2nd request (level 2) brings the server down for 5 s: both requests of level 2 are dropped. It comes back as
        // the same process (its connections were dropped; it kept what it had compiled).
        await using var simulator = await FaultRun.StartSimulatorAsync("die:5s@every=2");

        var (report, wall) = await FaultRun.RunAsync(FaultRun.Target(simulator, RequestTimeout, limits => limits with { ReadyDeadline = TimeSpan.FromSeconds(30) }));

        Assert.True(report.Outcome == RunOutcomes.Warm, $"{report.Outcome}: {report.Verdict?.Reason} {report.Error}");
        var outage = Assert.Single(report.Outages);
        Assert.True(outage.Back);
        Assert.True(outage.ReadinessAttempts > 1, $"{outage.ReadinessAttempts} readiness attempts");
        Assert.True(outage.Failures["ConnectionReset"] >= 1);
        Assert.Equal(1, outage.StepsResent);
        Assert.False(outage.Restarted);
        Assert.StartsWith("process_start_time_seconds unchanged", outage.RestartEvidence, StringComparison.Ordinal);
        // Every step's requests answered: level 2 was re-run once the server was back and the run went on. Nothing else
        // was sent again: the same process had lost nothing.
        Assert.Equal([1, 2, 4], report.Steps.Select(s => s.Succeeded));
        Assert.DoesNotContain("ConnectionReset", report.Totals.ErrorsByOutcome.Keys);
        Assert.True(wall < TimeSpan.FromSeconds(40), $"took {wall}");

        // The server's own log: it died once, and after its 5 s outage it served level 2 again and level 3, 2 + 4 requests
        // of the plan's 64-token prompts (verification keeps its lengths off the plan's), and no more of them.
        var generation = simulator.Log.Snapshot();
        var died = Assert.Single(generation, r => r.Fault == nameof(FaultKind.DieAndReturn));
        var servedAfter = generation.Count(r => r.Status == 200 && Math.Abs(r.PromptTokens - 64) <= 8 && r.ArrivalUnixNs > died.ArrivalUnixNs + 4_500_000_000L);
        Assert.Equal(6, servedAfter);
    }

    [Theory]
    [InlineData(ServerFamily.Vllm, true)]
    [InlineData(ServerFamily.LlamaCpp, true)]
    [InlineData(ServerFamily.Vllm, false)]
    [InlineData(ServerFamily.LlamaCpp, false)]
    public async Task A_restart_between_two_levels_with_no_request_failing_is_seen_in_the_metrics_and_the_plan_is_sent_again(string family, bool restart)
    {
        // The server is replaced by a new process as the reading before level 3 starts, too fast for a request to fail:
        // only its metrics show it (vLLM: the process start time; llama.cpp, which has none: its token counter falls from
        // the 8 tokens of level 1, read before level 2).
        await using var simulator = await FaultRun.StartSimulatorAsync("none", family: family);

        var (report, _) = await FaultRun.RunAsync(FaultRun.Target(simulator, RequestTimeout), journal: FaultRun.RestartAtReadings(simulator, restart ? [3] : []));

        Assert.True(report.Outcome == RunOutcomes.Warm, $"{report.Outcome}: {report.Verdict?.Reason} {report.Error}");
        Assert.Equal(0, report.Totals.Failed);
        if (!restart)
        {
            // Readings between levels of one process never read as a restart.
            Assert.Empty(report.Outages);
            Assert.Equal([1, 2, 4], report.Steps.Select(s => s.Succeeded));
            return;
        }

        var outage = Assert.Single(report.Outages);
        Assert.True(outage.BetweenLevels);
        Assert.True(outage.Restarted);
        Assert.Empty(outage.Failures);
        Assert.StartsWith(family == ServerFamily.Vllm ? "process_start_time_seconds changed" : "llamacpp:tokens_predicted_total was 8 and reads 0", outage.RestartEvidence, StringComparison.Ordinal);
        // Level 3 ran on the new process; levels 1 and 2 had warmed the old one, so the plan was sent again before verifying.
        Assert.Equal([1, 2, 4, 1, 2, 4], report.Steps.Select(s => s.Succeeded));
    }

    [Fact]
    public async Task Only_one_restart_seen_between_levels_is_acted_on_in_a_run()
    {
        // Replaced before level 3 and again before the second level of the pass that sends the plan again: the second
        // is not acted on (readings that alternate between replicas would otherwise re-send at every level).
        await using var simulator = await FaultRun.StartSimulatorAsync("none");
        var journal = FaultRun.RestartAtReadings(simulator, 3, 5);

        var (report, _) = await FaultRun.RunAsync(FaultRun.Target(simulator, RequestTimeout), journal: journal);

        Assert.True(Assert.Single(report.Outages).BetweenLevels);
        Assert.Equal([1, 2, 4, 1, 2, 4], report.Steps.Select(s => s.Succeeded));
        Assert.Equal(6, journal.Entries.Count(e => e.Name == Core.Orchestration.TaskNames.ReadLoad));
    }

    [Theory]
    [InlineData("die", false)]
    [InlineData("restart", true)]
    public async Task Without_a_process_start_time_the_servers_activity_counter_tells_a_restart_from_the_same_process(string fault, bool restarted)
    {
        // llama.cpp exports no process_start_time_seconds; its generated-token counter starts from zero in a new process.
        // The 4th request (level 3's first) takes the server down for 3 s.
        await using var simulator = await FaultRun.StartSimulatorAsync(fault + ":3s@every=4", family: ServerFamily.LlamaCpp);

        var (report, _) = await FaultRun.RunAsync(FaultRun.Target(simulator, RequestTimeout, limits => limits with { ReadyDeadline = TimeSpan.FromSeconds(30) }));

        Assert.True(report.Outcome == RunOutcomes.Warm, $"{report.Outcome}: {report.Verdict?.Reason} {report.Error}");
        var outage = Assert.Single(report.Outages);
        Assert.Equal(restarted, outage.Restarted);
        Assert.StartsWith("llamacpp:tokens_predicted_total", outage.RestartEvidence, StringComparison.Ordinal);
        // Level 3 re-run; then, only after the restart, the plan's three steps again.
        Assert.Equal(restarted ? [1, 2, 4, 1, 2, 4] : [1, 2, 4], report.Steps.Select(s => s.Succeeded));
    }

    [Theory]
    [InlineData("restart", true)]
    [InlineData("die", false)]
    public async Task A_server_that_goes_away_during_verification_is_verified_again_whole_after_the_plan_again_if_it_restarted(string fault, bool restarted)
    {
        // The 8th request, the verification's first (the plan's levels send 1 + 2 + 4), takes the server down for 5 s; a
        // restart brings it back with nothing compiled, die as the same process.
        await using var simulator = await FaultRun.StartSimulatorAsync(fault + ":5s@every=8");

        var (report, wall) = await FaultRun.RunAsync(FaultRun.Target(simulator, RequestTimeout, limits => limits with { ReadyDeadline = TimeSpan.FromSeconds(30) }));

        Assert.True(report.Outcome == RunOutcomes.Warm, $"{report.Outcome}: {report.Verdict?.Reason} {report.Error}");
        var outage = Assert.Single(report.Outages);
        Assert.True(outage.Back);
        Assert.True(outage.DuringVerification);
        Assert.Equal(0, outage.StepsResent);
        Assert.Equal(restarted, outage.Restarted);
        Assert.StartsWith(restarted ? "process_start_time_seconds changed" : "process_start_time_seconds unchanged", outage.RestartEvidence, StringComparison.Ordinal);
        Assert.True(outage.ReadinessAttempts > 1, $"{outage.ReadinessAttempts} readiness attempts");
        Assert.True(outage.Failures["ConnectionReset"] >= 1);
        // The plan's three steps, the same three again once a restarted server was back, and one whole verification after them.
        Assert.Equal(restarted ? [1, 2, 4, 1, 2, 4] : [1, 2, 4], report.Steps.Select(s => s.Succeeded));
        Assert.NotNull(report.FirstUserLike);
        Assert.Equal(report.FirstUserLike.Requests, report.FirstUserLike.Succeeded);
        Assert.Equal(report.Steady!.Requests, report.Steady.Succeeded);
        Assert.DoesNotContain("ConnectionReset", report.Totals.ErrorsByOutcome.Keys);
        Assert.True(wall < TimeSpan.FromSeconds(40), $"took {wall}");

        // The server's own log: after the outage it answered the plan's 7 requests again if it had restarted, then the verification.
        var generation = simulator.Log.Snapshot();
        var down = Assert.Single(generation, r => r.Fault is nameof(FaultKind.Restart) or nameof(FaultKind.DieAndReturn));
        var answeredAfter = generation.Count(r => r.Status == 200 && r.ArrivalUnixNs > down.ArrivalUnixNs + 4_500_000_000L);
        Assert.Equal((restarted ? 7 : 0) + report.FirstUserLike.Requests + report.Steady.Requests, answeredAfter);
    }

    [Fact]
    public async Task A_server_that_restarts_again_while_the_run_sends_its_steps_again_is_sent_them_once_more()
    {
        // The 8th request (the verification's first) restarts the server; so does the 12th, the first of level 3 of the
        // steps sent again once it was back (requests 9 to 15).
        await using var simulator = await FaultRun.StartSimulatorAsync("restart:3s@every=8,restart:3s@every=12");

        var (report, _) = await FaultRun.RunAsync(FaultRun.Target(simulator, RequestTimeout, limits => limits with { ReadyDeadline = TimeSpan.FromSeconds(30) }));

        Assert.True(report.Outcome == RunOutcomes.Warm, $"{report.Outcome}: {report.Verdict?.Reason} {report.Error}");
        Assert.Equal([true, true], report.Outages.Select(o => o.Restarted));
        Assert.Equal([true, false], report.Outages.Select(o => o.DuringVerification));
        // The plan; the pass the second restart cut (its level 3 run again); the whole plan once more; then the verification.
        Assert.Equal([1, 2, 4, 1, 2, 4, 1, 2, 4], report.Steps.Select(s => s.Succeeded));
        Assert.Equal(report.FirstUserLike!.Requests, report.FirstUserLike.Succeeded);
    }

    [Fact]
    public async Task After_a_restart_only_the_steps_that_fit_what_is_left_of_max_tokens_per_run_are_sent_again()
    {
        // A budget that holds the plan and its verification with 400 tokens to spare. The restart at level 3's first
        // request cuts its 4 requests short (about 260 prompt tokens, spent but thrown away), so about 140 are left: the
        // first step (72 tokens at most) is sent again, not the second (144 more). Counting only what the report keeps
        // would have sent the second too.
        await using var simulator = await FaultRun.StartSimulatorAsync("restart:3s@every=4");
        var verification = VerificationPlan.For(new WarmupPlan("faults", FaultRun.ThreeLevels), simulator.Profile.MaxModelLen).TokenCost;
        var budget = 504 + verification + 400;

        var (report, _) = await FaultRun.RunAsync(FaultRun.Target(
            simulator, RequestTimeout, limits => limits with { ReadyDeadline = TimeSpan.FromSeconds(30), MaxTokensPerRun = budget }));

        Assert.True(report.Outcome == RunOutcomes.Warm, $"{report.Outcome}: {report.Verdict?.Reason} {report.Error}");
        Assert.True(Assert.Single(report.Outages).Restarted);
        Assert.Equal([1, 2, 4, 1], report.Steps.Select(s => s.Succeeded));
        Assert.Contains(report.Notes, n => n.StartsWith("after the outage, 2 of the 3 steps sent so far were not sent again", StringComparison.Ordinal));
        Assert.True(report.Totals.PromptTokens + report.Totals.OutputTokens <= budget, $"{report.Totals.PromptTokens + report.Totals.OutputTokens} tokens spent of {budget}");
    }

    [Theory]
    [InlineData("in a level")]
    [InlineData("during verification")]
    [InlineData("between levels")]
    public async Task A_server_that_restarts_during_an_adaptive_round_is_sent_the_run_again_and_verified_warm_in_the_same_round(string when)
    {
        var duringVerification = when == "during verification";
        var adaptive = PlanSpec.FromPreset(PlanPresets.Adaptive);
        static Func<TargetLimits, TargetLimits> Limits() => limits => limits with { MaxConcurrency = 4, ReadyDeadline = TimeSpan.FromSeconds(30) };
        // The same run against a server without faults: how many requests round 1 sends before verifying, and what the
        // server has compiled and captured at the end.
        int warmupRequests;
        SimulatorState warmed;
        await using (var clean = await FaultRun.StartSimulatorAsync("none"))
        {
            var (cleanReport, _) = await FaultRun.RunAsync(FaultRun.Target(clean, RequestTimeout, Limits()), plan: adaptive);
            Assert.Equal(RunOutcomes.Warm, cleanReport.Outcome);
            Assert.Single(cleanReport.Adaptive!.Rounds);
            warmupRequests = cleanReport.Steps.Sum(s => s.Requests);
            warmed = clean.State;
        }

        // The 3rd request (a prompt rung) or the verification's first restarts the server: down for 5 s, then back with
        // nothing warm. Or it is replaced by a new process as the reading before the round's second level starts, and no
        // request fails.
        var restartAt = duringVerification ? warmupRequests + 1 : 3;
        await using var simulator = await FaultRun.StartSimulatorAsync(when == "between levels" ? "none" : FormattableString.Invariant($"restart:5s@every={restartAt}"));
        var journal = FaultRun.RestartAtReadings(simulator, when == "between levels" ? [2] : []);

        var (report, _) = await FaultRun.RunAsync(FaultRun.Target(simulator, RequestTimeout, Limits()), plan: adaptive, journal: journal);

        Assert.True(report.Outcome == RunOutcomes.Warm, $"{report.Outcome}: {report.Verdict?.Reason} {report.Error}");
        var outage = Assert.Single(report.Outages);
        Assert.True(outage.Back);
        Assert.Equal(duringVerification, outage.DuringVerification);
        Assert.Equal(when == "between levels", outage.BetweenLevels);
        Assert.True(outage.Restarted);
        var round = Assert.Single(report.Adaptive!.Rounds);
        Assert.Equal(LoopStops.Warm, report.Adaptive.StoppedBy);
        // The round's steps (the one that failed sent again), then all of them again once the server was back, then one
        // whole verification.
        Assert.Equal(2 * warmupRequests, round.Requests);
        Assert.Contains(report.Notes, n => n.Contains("were sent again", StringComparison.Ordinal));
        Assert.Equal(report.FirstUserLike!.Requests + report.Steady!.Requests, round.VerifyRequests);
        Assert.Equal(report.FirstUserLike.Requests, report.FirstUserLike.Succeeded);
        Assert.Equal(report.Steady.Requests, report.Steady.Succeeded);
        // The restarted server holds again everything the run had warmed on the clean one.
        var state = simulator.State;
        Assert.Equal(warmed.CompiledBuckets, state.CompiledBuckets);
        Assert.Equal(warmed.CapturedGraphSizes, state.CapturedGraphSizes);
    }

    [Fact]
    public async Task An_adaptive_round_sends_again_after_a_restart_only_what_fits_the_loops_budget()
    {
        var adaptive = PlanSpec.FromPreset(PlanPresets.Adaptive);
        long spent, warmupTokens;
        int warmupRequests;
        await using (var clean = await FaultRun.StartSimulatorAsync("none"))
        {
            var (cleanReport, _) = await FaultRun.RunAsync(FaultRun.Target(clean, RequestTimeout, limits => limits with { MaxConcurrency = 4 }), plan: adaptive);
            Assert.Single(cleanReport.Adaptive!.Rounds);
            spent = cleanReport.Adaptive.TokensSpent;
            warmupTokens = cleanReport.Steps.Sum(s => s.PromptTokens + s.OutputTokens);
            warmupRequests = cleanReport.Steps.Sum(s => s.Requests);
        }

        // What the clean run spent and half its steps' tokens again: round 1 fits, a second pass of its steps does not.
        var budget = spent + (warmupTokens / 2);
        await using var simulator = await FaultRun.StartSimulatorAsync("restart:3s@every=3");

        var (report, _) = await FaultRun.RunAsync(
            FaultRun.Target(simulator, RequestTimeout, limits => limits with { MaxConcurrency = 4, MaxTokensPerRun = budget, ReadyDeadline = TimeSpan.FromSeconds(30) }),
            plan: adaptive);

        Assert.True(Assert.Single(report.Outages).Restarted);
        var round = report.Adaptive!.Rounds[0];
        Assert.InRange(round.Requests, warmupRequests + 1, (2 * warmupRequests) - 1);
        Assert.Contains(report.Notes, n => n.StartsWith("round 1: after the outage, ", StringComparison.Ordinal) && n.Contains("were not sent again", StringComparison.Ordinal));
        Assert.True(report.Adaptive.TokensSpent <= budget, $"{report.Adaptive.TokensSpent} tokens spent of {budget}");
    }

    [Fact]
    public async Task A_server_that_dies_and_stays_away_past_the_ready_deadline_ends_the_run_aborted_with_the_outage_reported()
    {
        await using var simulator = await FaultRun.StartSimulatorAsync("die:60s@every=2");

        var (report, wall) = await FaultRun.RunAsync(FaultRun.Target(simulator, RequestTimeout, limits => limits with { ReadyDeadline = TimeSpan.FromSeconds(3) }));

        Assert.Equal(RunOutcomes.Aborted, report.Outcome);
        var outage = Assert.Single(report.Outages);
        Assert.False(outage.Back);
        Assert.Equal(0, outage.StepsResent);
        Assert.Contains("did not answer again within its ready deadline", report.Error);
        Assert.Equal(1, report.Steps.Count(s => s.Succeeded == s.Requests));
        Assert.True(wall < TimeSpan.FromSeconds(20), $"took {wall}");
    }

    [Fact]
    public async Task A_server_that_gets_slower_and_slower_is_aborted_once_most_requests_time_out()
    {
        await using var simulator = await FaultRun.StartSimulatorAsync("slower:100ms");

        var (report, wall) = await FaultRun.RunAsync(FaultRun.Target(simulator, TimeSpan.FromSeconds(1)));

        Assert.Equal(RunOutcomes.Aborted, report.Outcome);
        var failed = report.Totals.ErrorsByOutcome["Timeout"];
        var succeeded = report.Totals.Requests - report.Totals.Failed;
        // The circuit opened once timeouts outnumbered answers; the rest of the verification was not sent.
        Assert.Equal(succeeded + 1, failed);
        Assert.True(report.Totals.ErrorsByOutcome["NotSent"] > 0);
        Assert.True(wall < TimeSpan.FromSeconds(40), $"took {wall}");
    }

    [Fact]
    public async Task A_refused_key_is_reported_once_and_nothing_else_is_sent()
    {
        await using var simulator = await FaultRun.StartSimulatorAsync("none", apiKey: "the-right-key");
        var target = FaultRun.Target(simulator, RequestTimeout);

        var (report, _) = await FaultRun.RunAsync(
            target, configure: services => services.AddSingleton<IRequestAuthenticator>(new WrongKey()));

        Assert.Equal(RunOutcomes.Aborted, report.Outcome);
        Assert.Equal(1, report.Totals.Requests);
        Assert.Equal(1, report.Totals.ErrorsByOutcome["HttpError:401"]);
        Assert.Single(report.Steps);
        Assert.Null(report.FirstUserLike);
        Assert.Contains("refused the credentials (HTTP 401)", report.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-key", report.Error, StringComparison.Ordinal);
    }

    private sealed class WrongKey : IRequestAuthenticator
    {
        public ValueTask AuthenticateAsync(WarmupTarget target, HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "wrong-key");
            return ValueTask.CompletedTask;
        }
    }
}
