using Warmup.Core.Analysis;
using Warmup.Core.Readiness;
using Warmup.Core.Reliability;
using Warmup.Core.Reporting;

namespace Warmup.Core.Tests.Reporting;

public sealed class ReportBuilderTests
{
    private static ReportBuilder NewBuilder() => new("run", "corr", "t", "idle", "full", SampleReports.Started);

    [Fact]
    public void A_warm_run_adds_up_every_step_and_the_verification()
    {
        var report = SampleReports.Warm();

        Assert.Equal(RunOutcomes.Warm, report.Outcome);
        Assert.Equal(12_500, report.DurationMs);
        Assert.Equal(new RunTotals(5, 1, 64 + 64 + 136 + 136, 8 * 4, report.Totals.ErrorsByOutcome), report.Totals);
        Assert.Equal(new Dictionary<string, int> { ["HttpError:503"] = 1 }, report.Totals.ErrorsByOutcome);
        Assert.Equal(["a note"], report.Notes);
        Assert.Null(report.Error);
    }

    [Fact]
    public void What_the_server_served_since_a_reading_leaves_out_a_failed_levels_steps_that_finished_before_it()
    {
        var builder = NewBuilder().AddSteps([SampleReports.Step(64, 1)]);
        var finished = SampleReports.Step(64, 2);
        var rerun = SampleReports.Step(128, 4);

        // An outage in the next level: its first step had finished before it, the other is run again after the reading
        // taken once the server was back. The level then joins the report whole.
        builder.SawProcess(null, Served.Of([finished]));
        builder.AddSteps([finished, rerun]);

        Assert.Equal(new Served(4, 32), builder.ServedSinceProcessReading);
    }

    [Fact]
    public void A_reading_that_could_not_be_made_does_not_forget_the_process_and_an_outage_starts_again_from_its_own_reading()
    {
        var first = new ServerProcess(1_764_300_000, "vllm:request_success_total", 3);
        var builder = NewBuilder().SawProcess(first).SawProcess(new ServerProcess(1_764_299_000, "vllm:request_success_total", 1)).SawProcess(null);

        Assert.Null(builder.LastSeenProcess);
        Assert.Equal(1_764_299_000, builder.LastKnownProcess!.StartTimeSeconds);
        Assert.Equal(1_764_300_000, builder.LatestStartTime);

        // The server came back from an outage and its metrics could not be read: what it is now is unknown, so an earlier
        // process must not be compared with the next reading (the outage has already dealt with the restart, if any).
        builder.AddOutage(new ServerOutage(SampleReports.Started, 3000, true, 6, new Dictionary<string, int>(), 0) { Restarted = null });

        Assert.Null(builder.LastKnownProcess);
        Assert.Equal(0, builder.RestartsSeenBetweenLevels);
        Assert.Equal(1, builder.ServerGoneCount);
    }

    [Fact]
    public void Results_an_outage_threw_away_count_as_tokens_spent_but_stay_out_of_the_totals()
    {
        var builder = NewBuilder().WithReadiness(new ReadinessResult(true, 1, 1, null)).AddSteps([SampleReports.Step(64, 1)]);

        builder.Discard([SampleReports.Step(100, 2, failed: 1), SampleReports.Step(200, 1, failed: 1)]);

        Assert.Equal(200 + 8 + 200, builder.DiscardedTokens);
        Assert.Equal(64 + 8, builder.StepTokens);
        Assert.Equal(1, builder.Build(SampleReports.Started.AddSeconds(1)).Totals.Requests);
    }

    [Fact]
    public void Not_ready_is_never_ready_with_nothing_measured()
    {
        var report = NewBuilder().WithReadiness(new ReadinessResult(false, 5000, 9, "connection refused")).Build(SampleReports.Started.AddSeconds(5));

        Assert.Equal(RunOutcomes.NeverReady, report.Outcome);
        Assert.Empty(report.Steps);
        Assert.Null(report.Verdict);
        Assert.Equal(0, report.Totals.Requests);
    }

    [Fact]
    public void An_error_makes_the_run_failed_and_the_first_error_wins()
    {
        var report = NewBuilder()
            .WithReadiness(new ReadinessResult(true, 1, 1, null))
            .AddSteps([SampleReports.Step(64, 1)])
            .Fail("RunStep failed: boom")
            .Fail("Record failed: later")
            .Build(SampleReports.Started);

        Assert.Equal(RunOutcomes.Failed, report.Outcome);
        Assert.Equal("RunStep failed: boom", report.Error);
        Assert.Single(report.Steps);
    }

    [Fact]
    public void Failing_before_readiness_still_builds_a_report()
    {
        var report = NewBuilder().Fail("WaitUntilReady failed: unknown target 't'").Build(SampleReports.Started);

        Assert.Equal(RunOutcomes.Failed, report.Outcome);
        Assert.Same(ReportBuilder.NotChecked, report.Readiness);
    }

    [Fact]
    public void A_not_warm_verdict_is_not_warm()
    {
        var report = NewBuilder()
            .WithReadiness(new ReadinessResult(true, 1, 1, null))
            .WithVerification(SampleReports.Step(48, 1, Phases.Verify), SampleReports.Step(48, 1, Phases.Steady), new Verdict(300, 100, 3, 1.2, false, "slow"))
            .Build(SampleReports.Started);

        Assert.Equal(RunOutcomes.NotWarm, report.Outcome);
    }
}
