using Warmup.Cli.Output;
using Warmup.Core.Analysis;
using Warmup.Core.Planning;
using Warmup.Core.Readiness;
using Warmup.Core.Reporting;

namespace Warmup.Cli.Tests;

/// <summary>The rows and lines the summary is made of, shared by the table and the markdown.</summary>
public sealed class ReportSummaryTests
{
    [Fact]
    public void A_step_whose_requests_all_failed_shows_a_dash_not_zero_milliseconds()
    {
        var failed = Step(new PlanStep(512, 16, 2), requests: 2, succeeded: 0, errors: new() { ["HttpError:503"] = 2 });

        var cells = ReportSummary.Cells(failed, adapters: false);

        Assert.Equal(["warmup", "512", "16", "2", "–", "–", "–", "–", "2/2 HttpError:503×2"], cells);
    }

    [Fact]
    public void An_adapter_column_appears_only_when_adapters_were_warmed()
    {
        var plain = Report([Step(new PlanStep(128, 16, 1), 1, 1)]);
        var lora = Report([Step(new PlanStep(128, 16, 1), 1, 1), Step(new PlanStep(128, 16, 1, "sql-lora"), 1, 1)]);

        Assert.DoesNotContain("adapter", ReportSummary.Header(ReportSummary.HasAdapters(plain)));
        Assert.True(ReportSummary.HasAdapters(lora));
        var markdown = MarkdownReport.Render(lora, "http://gpu-1:8000");
        Assert.Contains("| phase | adapter | prompt |", markdown);
        Assert.Contains("| warmup | sql-lora | 128 |", markdown);
        Assert.Contains("| warmup | (base) | 128 |", markdown);
    }

    [Fact]
    public void The_verdict_is_one_short_line_and_cold_shapes_follow_as_a_list()
    {
        var verdict = new Verdict(200, 50, 4.0, 1.2, false, "a long sentence about why")
        {
            ByLength =
            [
                new LengthVerdict(128, 55, 50, 1.1),
                new LengthVerdict(4096, 430, 52, 8.27) { IsCold = true },
            ],
        };
        var report = Report([Step(new PlanStep(128, 16, 1), 1, 1)]) with { Outcome = RunOutcomes.NotWarm, Verdict = verdict };

        Assert.Equal("NOT WARM 4.00x first-user-like / steady TTFT (threshold 1.20x)", ReportSummary.PlainVerdict(report));
        Assert.Equal(["cold: 4096 prompt tokens, first user 430ms vs steady 52.0ms (8.27x)"], ReportSummary.Findings(report));
        Assert.Equal("Warm-up of m-1 at http://gpu-1:8000 (light plan)", ReportSummary.Title(report, "http://gpu-1:8000"));
    }

    [Fact]
    public void An_outage_is_one_line_saying_when_what_failed_and_what_the_run_did()
    {
        var at = new DateTimeOffset(2026, 11, 28, 11, 5, 24, TimeSpan.Zero);
        var back = new Core.Reliability.ServerOutage(at, 3120, true, 6, new Dictionary<string, int> { ["ConnectionReset"] = 22 }, 0, DuringVerification: true);
        var gone = new Core.Reliability.ServerOutage(at, 30_000, false, 40, new Dictionary<string, int> { ["ConnectionRefused"] = 2 }, 0);
        var restarted = back with { Restarted = true, RestartEvidence = "process_start_time_seconds changed from 1764300000 to 1764300042" };
        var same = back with { Restarted = false, RestartEvidence = "vllm:request_success_total went on from 40 to 52, at least the 47 of the same process" };

        Assert.Equal(
            "the server stopped answering during verification at 11:05:24Z (ConnectionReset×22) and answered again after 3120ms; " +
            "its metrics could not say whether it restarted, so the run's steps were sent again before verifying",
            ReportSummary.Outage(back));
        Assert.Equal(
            "the server stopped answering during verification at 11:05:24Z (ConnectionReset×22) and answered again after 3120ms as a new process " +
            "(process_start_time_seconds changed from 1764300000 to 1764300042): it had lost what it compiled, so the run's steps were sent again before verifying",
            ReportSummary.Outage(restarted));
        Assert.Equal(
            "the server stopped answering during verification at 11:05:24Z (ConnectionReset×22) and answered again after 3120ms as the same process " +
            "(vllm:request_success_total went on from 40 to 52, at least the 47 of the same process): nothing was sent again",
            ReportSummary.Outage(same));
        Assert.Equal(
            "the server stopped answering during the warm-up at 11:05:24Z (ConnectionRefused×2) and did not answer again within 30.0s",
            ReportSummary.Outage(gone));
        var between = Core.Reliability.ServerOutage.Between(at, new Core.Reliability.RestartCheck(true, "vllm:request_success_total was 40 and reads 3, below the 40 the same process would show"));
        Assert.Equal(
            "the server restarted between two levels: its metrics read at 11:05:24Z showed a new process " +
            "(vllm:request_success_total was 40 and reads 3, below the 40 the same process would show), which had lost what the run sent before",
            ReportSummary.Outage(between));
        var markdown = MarkdownReport.Render(Report([Step(new PlanStep(128, 16, 1), 1, 1)]) with { Outages = [back] }, "http://gpu-1:8000");
        Assert.Contains("Outage: the server stopped answering during verification at 11:05:24Z", markdown);
    }

    [Fact]
    public void Markdown_cells_keep_server_text_from_breaking_the_table()
    {
        var step = Step(new PlanStep(128, 16, 1), 1, 0, new() { ["HttpError:400 bad | field\nnext"] = 1 });

        var markdown = MarkdownReport.Render(Report([step]), "http://gpu-1:8000");

        Assert.Contains("1/1 HttpError:400 bad \\| field next×1 |", markdown);
    }

    private static StepResult Step(PlanStep step, int requests, int succeeded, Dictionary<string, int>? errors = null) => new()
    {
        Step = step,
        Requests = requests,
        Succeeded = succeeded,
        TtftMs = succeeded == 0 ? LatencySummary.Empty : LatencySummary.From([50.0]),
        InterTokenMs = succeeded == 0 ? LatencySummary.Empty : LatencySummary.From([2.0]),
        E2eMs = succeeded == 0 ? LatencySummary.Empty : LatencySummary.From([80.0]),
        ErrorsByOutcome = errors ?? [],
    };

    private static WarmupReport Report(IReadOnlyList<StepResult> steps) => new()
    {
        RunId = "r",
        CorrelationId = "c",
        Target = "t",
        Dialect = "openai",
        Model = "m-1",
        Reason = "manual",
        Plan = "light",
        Outcome = RunOutcomes.Warm,
        Readiness = new ReadinessResult(true, 10, 1, null),
        Steps = steps,
        Totals = ReportBuilder.Totals(steps.ToList()),
    };
}
