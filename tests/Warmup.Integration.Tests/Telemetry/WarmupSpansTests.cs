using System.Diagnostics;
using Warmup.Core.Planning;
using Warmup.Core.Readiness;
using Warmup.Core.Reporting;
using Warmup.Core.Telemetry;

namespace Warmup.Integration.Tests.Telemetry;

/// <summary>How step spans find their parent when an activity may or may not already run inside the run's trace.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class WarmupSpansTests : IDisposable
{
    private static readonly PlanStep Step = new(1024, 16, 4);
    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => source.Name == WarmupTelemetry.SourceName || source.Name == "test.durable",
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };

    private readonly ActivitySource _durable = new("test.durable");

    public WarmupSpansTests() => ActivitySource.AddActivityListener(_listener);

    [Fact]
    public void Without_a_current_span_the_step_is_a_child_of_the_trigger_context()
    {
        var traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        using var step = WarmupSpans.StartStep(traceParent, "t", Step, "warmup", 3, "run-1");

        Assert.NotNull(step);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", step.TraceId.ToHexString());
        Assert.Equal("b7ad6b7169203331", step.ParentSpanId.ToHexString());
        Assert.Equal("1024", step.GetTagItem(WarmupTagNames.SpanPromptBucket));
        Assert.Equal(4, step.GetTagItem(WarmupTagNames.SpanConcurrency));
        Assert.Equal(3, step.GetTagItem(WarmupTagNames.SpanStepIndex));
    }

    [Fact]
    public void Inside_a_Durable_activity_span_of_the_same_trace_the_step_nests_under_it()
    {
        var traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        using var activitySpan = _durable.StartActivity("activity:RunStep", ActivityKind.Server, ActivityContext.Parse(traceParent, null));
        using var step = WarmupSpans.StartStep(traceParent, "t", Step, "warmup", 0);

        Assert.Equal(activitySpan!.SpanId, step!.ParentSpanId);
        Assert.Equal(activitySpan.TraceId, step.TraceId);
        Assert.Empty(step.Links);
    }

    [Fact]
    public void Inside_an_unrelated_span_the_step_joins_the_run_trace_and_links_back()
    {
        var traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        using var unrelated = _durable.StartActivity("function:RunStep", ActivityKind.Server);
        using var step = WarmupSpans.StartStep(traceParent, "t", Step, "warmup", 0);

        Assert.Equal("0af7651916cd43dd8448eb211c80319c", step!.TraceId.ToHexString());
        Assert.Equal(unrelated!.SpanId, Assert.Single(step.Links).Context.SpanId);
    }

    [Fact]
    public void Without_a_trace_parent_the_step_follows_the_current_span()
    {
        using var current = _durable.StartActivity("current");
        using var step = WarmupSpans.StartStep(null, "t", Step, "verify", 0);

        Assert.Equal(current!.SpanId, step!.ParentSpanId);
        Assert.Equal(step.Id, WarmupSpans.CurrentTraceParent()); // what a trigger hands on: the innermost span
    }

    [Theory]
    [InlineData("green", "aml@green")]
    [InlineData(null, "vllm-a")]
    public void The_run_span_carries_an_Azure_ML_deployment_apart_from_the_target(string? deployment, string target)
    {
        var started = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var report = new WarmupReport
        {
            RunId = "r", CorrelationId = "c", Target = target, Deployment = deployment, Dialect = "azureml", Model = "m", Reason = "manual",
            Plan = "light", Outcome = RunOutcomes.Warm, Readiness = new ReadinessResult(true, 1, 1, null),
            Totals = new RunTotals(0, 0, 0, 0, new Dictionary<string, int>()), StartedAt = started, FinishedAt = started.AddSeconds(1),
        };

        using var run = WarmupSpans.StartRun(report, null);

        Assert.Equal(target, run!.GetTagItem(WarmupTagNames.SpanTarget));
        Assert.Equal(deployment, run.GetTagItem(WarmupTagNames.SpanDeployment));
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(1, "1")]
    [InlineData(300, "512")]
    [InlineData(512, "512")]
    [InlineData(513, "1024")]
    [InlineData(32_000, "32768")]
    public void Prompt_lengths_fall_in_power_of_two_buckets(int tokens, string bucket) =>
        Assert.Equal(bucket, WarmupMetrics.PromptBucket(tokens));

    public void Dispose()
    {
        _listener.Dispose();
        _durable.Dispose();
    }
}
