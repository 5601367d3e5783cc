using Warmup.Core.Analysis;
using Warmup.Core.Planning;
using Warmup.Core.Probing;

namespace Warmup.Core.Tests.Analysis;

public sealed class StepAggregatorTests
{
    private static ProbeResult Ok(double ttft, double e2e, double[] gaps, int prompt = 100, int output = 4) => new()
    {
        Outcome = ProbeOutcome.Ok,
        StatusCode = 200,
        TtftMs = ttft,
        E2eMs = e2e,
        InterTokenMs = gaps,
        PromptTokens = prompt,
        OutputTokens = output,
    };

    [Fact]
    public void Summarizes_successes_pools_inter_token_gaps_and_counts_failures_by_outcome()
    {
        var step = new PlanStep(100, 4, 6);
        ProbeResult[] probes =
        [
            Ok(10, 40, [10, 10, 10]),
            Ok(20, 50, [5, 10, 15]),
            Ok(30, 60, [20, 5, 5]),
            new() { Outcome = ProbeOutcome.HttpError, StatusCode = 503, PromptTokens = 100 },
            new() { Outcome = ProbeOutcome.HttpError, StatusCode = 503 },
            new() { Outcome = ProbeOutcome.Timeout, TtftMs = 9999, OutputTokens = 2 },
        ];

        var result = StepAggregator.Summarize(step, Phases.Warmup, probes, wallMs: 123.4);

        Assert.Same(step, result.Step);
        Assert.Equal(Phases.Warmup, result.Phase);
        Assert.Equal(6, result.Requests);
        Assert.Equal(3, result.Succeeded);
        Assert.Equal(new LatencySummary(3, 20, 28, 29.8, 30), result.TtftMs);
        Assert.Equal(9, result.InterTokenMs.Count);
        Assert.Equal(10, result.InterTokenMs.P50);
        Assert.Equal(20, result.InterTokenMs.Max);
        Assert.Equal(50, result.E2eMs.P50);
        Assert.Equal(new Dictionary<string, int> { ["HttpError:503"] = 2, ["Timeout"] = 1 }, result.ErrorsByOutcome);
        Assert.Equal(400, result.PromptTokens);
        Assert.Equal(14, result.OutputTokens);
        Assert.Equal(123.4, result.WallMs);
    }

    [Fact]
    public void A_step_where_everything_failed_has_empty_summaries()
    {
        var result = StepAggregator.Summarize(
            new PlanStep(10, 1, 2), Phases.Warmup,
            [new() { Outcome = ProbeOutcome.ConnectionRefused }, new() { Outcome = ProbeOutcome.TruncatedStream, StatusCode = 200 }],
            5);

        Assert.Equal(0, result.Succeeded);
        Assert.Equal(LatencySummary.Empty, result.TtftMs);
        Assert.Equal(new Dictionary<string, int> { ["ConnectionRefused"] = 1, ["TruncatedStream"] = 1 }, result.ErrorsByOutcome);
    }

    [Fact]
    public void Error_counts_merge_across_steps()
    {
        var merged = StepAggregator.MergeErrors(
        [
            new Dictionary<string, int> { ["Timeout"] = 1, ["HttpError:500"] = 2 },
            new Dictionary<string, int> { ["Timeout"] = 3 },
        ]);

        Assert.Equal(new Dictionary<string, int> { ["HttpError:500"] = 2, ["Timeout"] = 4 }, merged);
    }
}
