using System.Diagnostics;
using System.Globalization;
using Warmup.Cli.Telemetry;
using Warmup.Core.Analysis;
using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Probing;
using Warmup.Core.Reporting;
using Warmup.Core.Telemetry;

namespace Warmup.Integration.Tests.Telemetry;

/// <summary>
/// The real Azure Monitor exporter (through CliTelemetry, the same options the Functions host uses) against a
/// loopback ingestion endpoint: what reaches Application Insights, envelope by envelope.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class AzureMonitorExportTests
{
    private const string ApiKey = "sk-SECRET-7f3a9c2e-do-not-export";
    private const string PromptMarker = "PROMPT-MARKER-zebra-quartz-5521";

    public AzureMonitorExportTests() => ExporterEnvironment.KeepOnLoopback();

    [Fact]
    public async Task Warm_run_exports_events_metrics_and_one_trace_of_run_step_and_request_spans()
    {
        await using var ingestion = await IngestionListener.StartAsync();
        await using var endpoint = await FakeLlmEndpoint.StartAsync();
        using var http = new HttpClient();
        var target = NewTarget();
        var runId = $"warmup-{target}";
        var prompt = $"{PromptMarker} Summarise the following text.";

        string traceParent;
        string triggerSpanId;
        var stepSpanIds = new List<string>();
        WarmupReport report;
        var telemetry = StartTelemetry(ingestion);
        try
        {
            using (var trigger = WarmupSpans.StartTrigger(WarmupReasons.Manual, target))
            {
                traceParent = WarmupSpans.CurrentTraceParent()!;
                triggerSpanId = trigger!.SpanId.ToHexString();
            }

            Assert.Null(Activity.Current); // activities run outside the trigger's context, as in Durable

            async Task<StepResult> RunStepAsync(PlanStep step, string phase, int index, int failures = 0)
            {
                using var span = WarmupSpans.StartStep(traceParent, target, step, phase, index, runId);
                stepSpanIds.Add(span!.SpanId.ToHexString());
                var probes = await Task.WhenAll(Enumerable.Range(0, step.Concurrency).Select(i =>
                    ProbeStandIn.SendAsync(http, endpoint.CompletionsUri, ApiKey, prompt, step.PromptTokens, fail: i < failures)));
                foreach (var probe in probes)
                {
                    WarmupMetrics.RecordProbe(target, phase, step, probe);
                }

                var result = TelemetryTestData.Step(step, phase, probes);
                WarmupSpans.CompleteStep(span, result);
                return result;
            }

            var steps = new List<StepResult>
            {
                await RunStepAsync(new PlanStep(512, 16, 1), Phases.Warmup, 0),
                await RunStepAsync(new PlanStep(300, 16, 2), Phases.Warmup, 1, failures: 1),
            };
            var firstUserLike = await RunStepAsync(new PlanStep(512, 16, 1), Phases.Verify, 2);
            var steady = await RunStepAsync(new PlanStep(512, 16, 2), Phases.Verify, 3);
            // An Azure ML run: the deployment travels as its own field, beside the run's target name.
            // The server went away twice during the run and came back: once as the same process, once restarted.
            var outage = new Core.Reliability.ServerOutage(DateTimeOffset.UtcNow, 3000, true, 6, new Dictionary<string, int> { ["ConnectionReset"] = 2 }, 1) { Restarted = false };
            report = TelemetryTestData.Report(target, RunOutcomes.Warm, steps, firstUserLike, steady) with
            {
                Deployment = "green",
                Outages = [outage, outage with { Restarted = true }],
            };

            var sink = new TelemetryResultSink(new WarmupEvents(telemetry.LoggerFactory));
            await sink.RecordAsync(report, traceParent, CancellationToken.None);
        }
        finally
        {
            telemetry.Dispose();
        }

        var envelopes = ingestion.Envelopes;
        var traceId = ActivityContext.Parse(traceParent, null).TraceId.ToHexString();
        Assert.All(ingestion.Paths, path => Assert.Equal("/v2.1/track", path));

        // WarmupRunCompleted: every field, numbers as invariant strings.
        var run = Assert.Single(envelopes.Events(WarmupEvents.RunCompletedName).ForTarget(target));
        Assert.Equal(runId, run.Property("instanceId"));
        Assert.Equal("green", run.Property("deployment"));
        Assert.Equal("deployment", run.Property("reason"));
        Assert.Equal("standard", run.Property("plan"));
        Assert.Equal(RunOutcomes.Warm, run.Property("verdict"));
        Assert.Equal("True", run.Property("isWarm"), ignoreCase: true);
        AssertNumber(report.Verdict!.Ratio!.Value, run.Property("ratio"));
        AssertNumber(report.Verdict.FirstTtftMs!.Value, run.Property("firstTtftMs"));
        AssertNumber(report.Verdict.SteadyTtftMs!.Value, run.Property("steadyTtftMs"));
        AssertNumber(1234.5, run.Property("timeToReadyMs"));
        AssertNumber(41_500, run.Property("durationMs"));
        AssertNumber(report.Totals.Requests, run.Property("requests"));
        Assert.Equal(6, report.Totals.Requests);
        AssertNumber(1, run.Property("errors"));
        AssertNumber(report.Totals.OutputTokens, run.Property("generatedTokens"));
        Assert.Equal("{\"HttpError:503\":1}", run.Property("errorsByOutcome"));
        AssertNumber(2, run.Property("outages"));
        AssertNumber(1, run.Property("restarts"));
        Assert.Equal(traceId, run.OperationId);

        // WarmupStepCompleted: one per plan step plus the two verify measurements, each with its percentiles.
        var stepEvents = envelopes.Events(WarmupEvents.StepCompletedName).ForTarget(target).ToList();
        Assert.Equal(4, stepEvents.Count);
        var allSteps = report.Steps.Append(report.FirstUserLike!).Append(report.Steady!).ToList();
        foreach (var (expected, kind, index) in allSteps.Select((s, i) => (s, i < 2 ? StepKinds.Plan : i == 2 ? StepKinds.FirstUserLike : StepKinds.Steady, i)))
        {
            var e = Assert.Single(stepEvents, e => e.Property("stepKind") == kind && (kind != StepKinds.Plan || e.Property("stepIndex") == index.ToString(CultureInfo.InvariantCulture)));
            Assert.Equal(expected.Phase, e.Property("phase"));
            AssertNumber(expected.Step.PromptTokens, e.Property("promptTokens"));
            AssertNumber(expected.Step.Concurrency, e.Property("concurrency"));
            foreach (var (series, summary) in new[] { ("ttft", expected.TtftMs), ("itl", expected.InterTokenMs), ("e2e", expected.E2eMs) })
            {
                Assert.True(summary.P50 > 0, $"{series} p50 measured");
                AssertNumber(summary.P50, e.Property($"{series}P50Ms"));
                AssertNumber(summary.P90, e.Property($"{series}P90Ms"));
                AssertNumber(summary.P99, e.Property($"{series}P99Ms"));
            }
        }

        // Metrics: histograms and counters with the five dimensions.
        foreach (var name in new[] { WarmupMetrics.TtftName, WarmupMetrics.InterTokenName, WarmupMetrics.E2eName })
        {
            var series = envelopes.Metrics(name).Where(m => m.Envelope.Property("target") == target).ToList();
            Assert.Contains(series, m => m.Envelope.Property("phase") == Phases.Warmup && m.Envelope.Property("prompt_bucket") == "512"
                && m.Envelope.Property("concurrency") == "2" && m.Envelope.Property("outcome") == "Ok" && (int)m.Metric["count"]! >= 1);
            Assert.Contains(series, m => m.Envelope.Property("phase") == Phases.Verify);
        }

        Assert.Equal(6, SumFor(envelopes, WarmupMetrics.RequestsName, target));
        var errors = Assert.Single(envelopes.Metrics(WarmupMetrics.ErrorsName), m => m.Envelope.Property("target") == target);
        Assert.Equal("HttpError:503", errors.Envelope.Property("outcome"));
        Assert.Equal(1, (double)errors.Metric["value"]!);
        Assert.Equal(report.Totals.OutputTokens, SumFor(envelopes, WarmupMetrics.TokensGeneratedName, target));

        // Spans: one trace. trigger -> run (Request) and trigger -> step (InProc dependency) -> request (HTTP dependency).
        var runSpan = Assert.Single(envelopes, e => e.Name == "Request" && e.Property(WarmupTagNames.SpanTarget) == target);
        Assert.Equal(traceId, runSpan.OperationId);
        Assert.Equal(triggerSpanId, runSpan.ParentId);
        Assert.True((bool)runSpan.BaseData["success"]!);
        Assert.Equal(TimeSpan.FromSeconds(41.5), TimeSpan.Parse((string)runSpan.BaseData["duration"]!, CultureInfo.InvariantCulture));
        Assert.Equal(RunOutcomes.Warm, runSpan.Property(WarmupTagNames.SpanOutcome));
        Assert.NotNull(runSpan.Property(WarmupTagNames.SpanRatio));
        Assert.Equal(runSpan.Id, run.ParentId); // the run event is written inside the run span
        Assert.Equal(WarmupTagNames.SyntheticSourceValue, runSpan.Tag("ai.operation.syntheticSource"));
        Assert.Equal(WarmupTagNames.SyntheticSourceValue, run.Tag("ai.operation.syntheticSource"));

        var stepSpans = envelopes.Where(e => e.Name == "RemoteDependency" && stepSpanIds.Contains(e.Id!)).ToList();
        Assert.Equal(4, stepSpans.Count);
        Assert.All(stepSpans, s =>
        {
            Assert.Equal(traceId, s.OperationId);
            Assert.Equal(triggerSpanId, s.ParentId);
            Assert.Equal(target, s.Property(WarmupTagNames.SpanTarget));
        });
        // A step with one failure out of two still succeeded as a step; its span carries the count.
        Assert.True((bool)Assert.Single(stepSpans, s => s.Property(WarmupTagNames.SpanErrors) == "1").BaseData["success"]!);

        var requestSpans = envelopes.Where(e => e.Name == "RemoteDependency" && stepSpanIds.Contains(e.ParentId!)).ToList();
        Assert.Equal(6, requestSpans.Count);
        Assert.All(requestSpans, r =>
        {
            Assert.Equal(traceId, r.OperationId);
            Assert.Equal("Http", (string?)r.BaseData["type"]);
            Assert.Equal(WarmupTagNames.SyntheticSourceValue, r.Tag("ai.operation.syntheticSource"));
        });
        Assert.Single(requestSpans, r => (bool)r.BaseData["success"]! == false);

        var triggerSpan = Assert.Single(envelopes, e => e.Id == triggerSpanId);
        Assert.Equal(traceId, triggerSpan.OperationId);

        // The key and the prompt reached the endpoint, and appear in no envelope.
        Assert.All(endpoint.Received, r => Assert.Contains(ApiKey, r.Authorization));
        Assert.All(endpoint.Received, r => Assert.Contains(PromptMarker, r.Body));
        Assert.NotEmpty(ingestion.RawLines);
        Assert.DoesNotContain(ingestion.RawLines, line => line.Contains(ApiKey, StringComparison.Ordinal) || line.Contains("SECRET", StringComparison.Ordinal));
        Assert.DoesNotContain(ingestion.RawLines, line => line.Contains(PromptMarker, StringComparison.Ordinal) || line.Contains("Summarise", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(RunOutcomes.Failed)]
    [InlineData(RunOutcomes.NotWarm)]
    [InlineData(RunOutcomes.NeverReady)]
    public async Task Runs_that_are_not_warm_still_export_run_completed_and_a_failed_run_span(string outcome)
    {
        await using var ingestion = await IngestionListener.StartAsync();
        var target = NewTarget();
        WarmupReport report;
        var telemetry = StartTelemetry(ingestion);
        try
        {
            var ok = new ProbeResult { Outcome = ProbeOutcome.Ok, TtftMs = 80, E2eMs = 200, InterTokenMs = [10, 12], OutputTokens = 3 };
            var slow = ok with { TtftMs = 400 };
            report = outcome switch
            {
                RunOutcomes.NotWarm => TelemetryTestData.Report(target, outcome,
                    [TelemetryTestData.Step(new PlanStep(128, 8, 1), Phases.Warmup, [ok])],
                    TelemetryTestData.Step(new PlanStep(128, 8, 1), Phases.Verify, [slow]),
                    TelemetryTestData.Step(new PlanStep(128, 8, 1), Phases.Verify, [ok])),
                _ => TelemetryTestData.Report(target, outcome, [], error: "endpoint refused connections for 600 s"),
            };

            using var trigger = WarmupSpans.StartTrigger(WarmupReasons.Deployment, target);
            var sink = new TelemetryResultSink(new WarmupEvents(telemetry.LoggerFactory));
            await sink.RecordAsync(report, CancellationToken.None); // the current span is the trigger context
        }
        finally
        {
            telemetry.Dispose();
        }

        var envelopes = ingestion.Envelopes;
        var run = Assert.Single(envelopes.Events(WarmupEvents.RunCompletedName).ForTarget(target));
        Assert.Equal(outcome, run.Property("verdict"));
        Assert.Equal("False", run.Property("isWarm"), ignoreCase: true);
        var runSpan = Assert.Single(envelopes, e => e.Name == "Request" && e.Property(WarmupTagNames.SpanTarget) == target);
        Assert.False((bool)runSpan.BaseData["success"]!);
        if (outcome == RunOutcomes.NotWarm)
        {
            AssertNumber(5, run.Property("ratio"));
            Assert.Equal(3, envelopes.Events(WarmupEvents.StepCompletedName).ForTarget(target).Count());
        }
        else
        {
            Assert.Equal(report.Error, run.Property("error"));
            Assert.Null(run.Property("ratio"));
            Assert.Empty(envelopes.Events(WarmupEvents.StepCompletedName).ForTarget(target));
        }
    }

    [Fact]
    public async Task Skipped_and_ignored_deployment_events_are_custom_events()
    {
        await using var ingestion = await IngestionListener.StartAsync();
        var target = NewTarget();
        var eventId = Guid.NewGuid().ToString();
        var telemetry = StartTelemetry(ingestion);
        try
        {
            var events = new WarmupEvents(telemetry.LoggerFactory);
            events.Skipped(target, "recently-warm", WarmupReasons.Idle);

            events.DeploymentEventIgnored(eventId, "Microsoft.MachineLearningServices.ModelDeployed", "/workspaces/w/deployments/other", "no-matching-target");
        }
        finally
        {
            telemetry.Dispose();
        }

        var skipped = Assert.Single(ingestion.Envelopes.Events(WarmupEvents.SkippedName).ForTarget(target));
        Assert.Equal("recently-warm", skipped.Property("reason"));
        Assert.Equal(WarmupReasons.Idle, skipped.Property("trigger"));
        var ignored = Assert.Single(ingestion.Envelopes.Events(WarmupEvents.DeploymentEventIgnoredName), e => e.Property("eventId") == eventId);
        Assert.Equal("Microsoft.MachineLearningServices.ModelDeployed", ignored.Property("eventType"));
        Assert.Equal("/workspaces/w/deployments/other", ignored.Property("subject"));
        Assert.Equal("no-matching-target", ignored.Property("reason"));
    }

    private static CliTelemetry StartTelemetry(IngestionListener ingestion) =>
        CliTelemetry.Start(new Dictionary<string, string?> { [CliTelemetry.ConnectionStringVariable] = ingestion.ConnectionString })
        ?? throw new InvalidOperationException("a connection string must start the pipeline");

    private static string NewTarget() => "tele-" + Guid.NewGuid().ToString("N")[..10];

    private static double SumFor(IEnumerable<Envelope> envelopes, string metric, string target) =>
        envelopes.Metrics(metric).Where(m => m.Envelope.Property("target") == target).Sum(m => (double)m.Metric["value"]!);

    private static void AssertNumber(double expected, string? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected, double.Parse(actual, CultureInfo.InvariantCulture), 3);
    }
}
