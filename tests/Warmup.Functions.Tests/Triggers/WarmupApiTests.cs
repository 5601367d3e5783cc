using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Converters;
using Warmup.Core.Analysis;
using Warmup.Core.Dialects;
using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;
using Warmup.Functions.Tests.Support;
using Warmup.Functions.Triggers;

namespace Warmup.Functions.Tests.Triggers;

public sealed class WarmupApiTests
{
    private readonly TriggerFixture _fx = new(new TargetCatalog([
        TestTargets.Target("llama-prod") with { Adapters = ["sql-lora"], Limits = new TargetLimits { MaxConcurrency = 8 } },
        TestTargets.Target("aml") with { Dialect = DialectNames.AzureMl },
    ]));

    private Task<IActionResult> Post(string target, string? body = null) =>
        _fx.Api().Start(Http.Request("POST", $"/api/warmups/{target}", body), target, _fx.Durable.Client, CancellationToken.None);

    [Fact]
    public async Task Post_without_body_starts_a_default_warmup_and_answers_202_with_status_urls()
    {
        var result = await Post("llama-prod");

        var accepted = Assert.IsType<AcceptedResult>(result);
        Assert.Equal("https://warmup-app.azurewebsites.net/api/warmups/llama-prod?code=secret-function-key", accepted.Location);
        var body = Assert.IsType<WarmupAccepted>(accepted.Value);
        Assert.Equal(("warmup-llama-prod", accepted.Location, accepted.Location), (body.Id, body.StatusUri, body.CancelUri));
        Assert.Matches(@"^warmup-llama-prod-20260301T120000Z-[0-9a-f]{8}$", body.RunId);
        Assert.Equal(body.RunId, _fx.Durable.Scheduled.Single().Request.RunId);
        var scheduled = Assert.Single(_fx.Durable.Scheduled);
        Assert.Equal((WarmupReasons.Manual, PlanPresets.Default, 1.2), (scheduled.Request.Reason, scheduled.Request.Plan.Preset, scheduled.Request.Threshold));
    }

    [Fact]
    public async Task Status_urls_carry_a_header_key_as_code_and_drop_the_rest_of_the_query()
    {
        var request = Http.Request("POST", "/api/warmups/llama-prod", headers: new Dictionary<string, string> { ["x-functions-key"] = "header key/+=" });
        request.QueryString = new Microsoft.AspNetCore.Http.QueryString("?debug=1");

        var accepted = Assert.IsType<AcceptedResult>(await _fx.Api().Start(request, "llama-prod", _fx.Durable.Client, CancellationToken.None));

        Assert.Equal("https://warmup-app.azurewebsites.net/api/warmups/llama-prod?code=header%20key%2F%2B%3D", accepted.Location);
        Assert.Equal("header key/+=", Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(accepted.Location!).Query)["code"]);
    }

    [Fact]
    public async Task Without_a_key_the_status_urls_have_none()
    {
        var request = Http.Request("POST", "/api/warmups/llama-prod");
        request.QueryString = Microsoft.AspNetCore.Http.QueryString.Empty;

        var accepted = Assert.IsType<AcceptedResult>(await _fx.Api().Start(request, "llama-prod", _fx.Durable.Client, CancellationToken.None));

        Assert.Equal("https://warmup-app.azurewebsites.net/api/warmups/llama-prod", accepted.Location);
    }

    [Fact]
    public async Task A_step_above_the_concurrency_limit_is_accepted_and_left_to_the_engine_to_clip_as_everywhere()
    {
        var result = await Post("llama-prod", """{"plan":{"name":"big","steps":[{"promptTokens":10,"maxOutputTokens":10,"concurrency":9}]}}""");

        Assert.IsType<AcceptedResult>(result);
        var plan = Assert.Single(_fx.Durable.Scheduled).Request.Plan;
        // The engine's PlanValidator clips it to the limit (8) with a note in the report; see PlanValidatorTests.
        Assert.Equal(PlanValidator.Validate(new WarmupPlan(plan.Preset, plan.Steps!), _fx.Catalog.Targets[0], null).Steps, [new PlanStep(10, 10, 8)]);
    }

    [Theory]
    [InlineData("FULL", PlanPresets.Full)]
    [InlineData(" light ", PlanPresets.Light)]
    public async Task Preset_names_follow_the_one_preset_list(string given, string expected)
    {
        await Post("llama-prod", $$"""{"plan":"{{given}}"}""");

        Assert.Equal(expected, Assert.Single(_fx.Durable.Scheduled).Request.Plan.Preset);
    }

    [Fact]
    public async Task Post_with_a_preset_or_explicit_steps_and_threshold()
    {
        await Post("llama-prod", """{"plan":"light","threshold":1.5}""");
        _fx.Durable.Put("warmup-llama-prod", OrchestrationRuntimeStatus.Completed, _fx.Time.GetUtcNow(), null);
        await Post("llama-prod", """{"plan":{"name":"mine","steps":[{"promptTokens":512,"maxOutputTokens":32,"concurrency":4,"adapter":"sql-lora"}]}}""");

        Assert.Equal((PlanPresets.Light, 1.5), (_fx.Durable.Scheduled[0].Request.Plan.Preset, _fx.Durable.Scheduled[0].Request.Threshold));
        var explicitPlan = _fx.Durable.Scheduled[1].Request.Plan;
        Assert.Equal("mine", explicitPlan.Preset);
        Assert.Equal([new PlanStep(512, 32, 4, "sql-lora")], explicitPlan.Steps!);
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("http://169.254.169.254")]
    [InlineData("LLAMA-PROD")]
    public async Task Unknown_target_is_404_and_nothing_starts(string target)
    {
        var result = await Post(target);

        var notFound = Assert.IsType<NotFoundObjectResult>(result);
        Assert.Contains("configured targets: llama-prod", Assert.IsType<ErrorBody>(notFound.Value).Error);
        Assert.Empty(_fx.Durable.Scheduled);
    }

    [Fact]
    public async Task Post_while_warming_is_409_with_a_clear_message()
    {
        _fx.Durable.Put("warmup-llama-prod", OrchestrationRuntimeStatus.Running, _fx.Time.GetUtcNow(), null);

        var result = await Post("llama-prod", """{"plan":"light"}""");

        var conflict = Assert.IsType<ConflictObjectResult>(result);
        var error = Assert.IsType<ErrorBody>(conflict.Value).Error;
        Assert.Contains("already warming", error);
        Assert.Contains("DELETE", error);
        Assert.Empty(_fx.Durable.Scheduled);
    }

    [Theory]
    [InlineData("""{"plan":"turbo"}""", "unknown plan 'turbo'")]
    [InlineData("""{"plan":"http://10.0.0.1:8000/v1"}""", "unknown plan")]
    [InlineData("""{"baseUrl":"http://169.254.169.254/"}""", "unknown field 'baseUrl'")]
    [InlineData("""{"plan":"light","url":"http://evil"}""", "unknown field 'url'")]
    [InlineData("""{"threshold":0.5}""", "threshold must be a number above 1.0 and at most 10 (first-user-like TTFT / steady TTFT), got 0.5")]
    [InlineData("""{"threshold":"2"}""", "threshold must be a number above 1.0 and at most 10 (first-user-like TTFT / steady TTFT), got \"2\"")]
    [InlineData("""{"plan":{"name":"x","steps":[]}}""", "plan: \"steps\" must list 1 to 64 steps")]
    [InlineData("""{"plan":{"name":"x","steps":[{"promptTokens":0,"maxOutputTokens":10,"concurrency":1}]}}""", "plan: step 1: promptTokens must be ≥ 1, got 0")]
    [InlineData("""{"plan":{"name":"x","steps":[{"promptTokens":10,"maxOutputTokens":10,"concurrency":1,"adapter":"other"}]}}""", "plan: step 1: adapter 'other' is not served by target 'llama-prod'")]
    [InlineData("""{"plan":{"steps":[{"promptTokens":10,"maxOutputTokens":10,"concurrency":1}]}}""", "plan: \"name\" is required")]
    [InlineData("""{"plan":{"name":"x","baseUrl":"http://evil","steps":[]}}""", "unknown field 'baseUrl'")]
    [InlineData("[1]", "must be a JSON object")]
    [InlineData("{", "not valid JSON")]
    public async Task Bad_body_is_400_with_a_clear_message_and_nothing_starts(string body, string expected)
    {
        var result = await Post("llama-prod", body);

        var bad = Assert.IsType<BadRequestObjectResult>(result);
        Assert.Contains(expected, Assert.IsType<ErrorBody>(bad.Value).Error);
        Assert.Empty(_fx.Durable.Scheduled);
    }

    private const string RunId = "warmup-llama-prod-20260301T120000Z-1a2b3c4d";

    /// <summary>A target's orchestration whose current run is <paramref name="runId"/>, and that run, as the host stores them.</summary>
    private void PutRun(string runId, OrchestrationRuntimeStatus status, WarmupRequest request, WarmupReport? report, WarmupProgress? progress, string[]? runs = null)
    {
        var parentStatus = report is null ? OrchestrationRuntimeStatus.Running : OrchestrationRuntimeStatus.Completed;
        _fx.Durable.Put("warmup-llama-prod", parentStatus, _fx.Time.GetUtcNow(), request with { RunId = (runs ?? [runId])[0] },
            output: report, customStatus: JsonDataConverter.Default.Serialize(new TargetRunStatus(runId, runs ?? [runId])));
        _fx.Durable.Put(runId, status, _fx.Time.GetUtcNow(), request, output: report,
            customStatus: progress is null ? null : JsonDataConverter.Default.Serialize(progress));
    }

    private Task<IActionResult> Get() =>
        _fx.Api().Get(Http.Request("GET", "/api/warmups/llama-prod"), "llama-prod", _fx.Durable.Client, CancellationToken.None);

    [Fact]
    public async Task An_oversized_body_is_413_with_the_documented_limit_and_nothing_starts()
    {
        var body = $"{{\"plan\":\"light\",\"pad\":\"{new string('x', WarmupApi.MaxBodyBytes)}\"}}";

        var result = await Post("llama-prod", body);

        var tooLarge = Assert.IsType<ObjectResult>(result);
        Assert.Equal(413, tooLarge.StatusCode);
        Assert.Contains($"larger than {WarmupApi.MaxBodyBytes} bytes", Assert.IsType<ErrorBody>(tooLarge.Value).Error);
        Assert.Empty(_fx.Durable.Scheduled);
    }

    [Fact]
    public async Task Get_reports_the_current_run_with_its_progress_and_report_in_the_documented_names_only()
    {
        var request = new WarmupRequest("llama-prod", WarmupReasons.Manual, PlanSpec.FromPreset(PlanPresets.Light), "corr-1");
        var report = Reports.Report("llama-prod", "light", RunOutcomes.Warm, requests: 42) with { RunId = RunId };
        // The data converter writes PascalCase (as the worker's default serializer does on a real host).
        PutRun(RunId, OrchestrationRuntimeStatus.Completed, request, report, new WarmupProgress(WarmupProgress.DonePhase, 3, 3, "finished: warm"));

        var json = Http.Json(Assert.IsType<OkObjectResult>(await Get()));

        Assert.Equal(RunId, json["id"]!.GetValue<string>());
        Assert.Equal("Completed", json["runtimeStatus"]!.GetValue<string>());
        Assert.Equal("manual", json["reason"]!.GetValue<string>());
        Assert.Equal("corr-1", json["correlationId"]!.GetValue<string>());
        Assert.Equal([RunId], json["runs"]!.AsArray().Select(r => r!.GetValue<string>()));
        var progress = json["progress"]!.AsObject();
        Assert.Equal(["phase", "step", "totalSteps", "description"], progress.Select(p => p.Key));
        Assert.Equal("finished: warm", progress["description"]!.GetValue<string>());
        // The report exactly as ReportJson writes it: the same names, in the same order, as the documented schema.
        var result = json["result"]!.AsObject();
        var documented = System.Text.Json.Nodes.JsonNode.Parse(ReportJson.Serialize(report))!.AsObject();
        Assert.Equal(documented.Select(p => p.Key), result.Select(p => p.Key));
        Assert.Equal(("warm", RunId, 42), (result["outcome"]!.GetValue<string>(), result["runId"]!.GetValue<string>(), result["totals"]!["requests"]!.GetValue<int>()));
        Assert.Null(result["Outcome"]);
    }

    [Fact]
    public async Task Get_of_an_Azure_ML_deployment_names_the_deployment_apart_from_the_target()
    {
        const string target = "aml@green";
        const string runId = "warmup-aml@green-20260301T120000Z-1a2b3c4d";
        var request = new WarmupRequest(target, WarmupReasons.Deployment, PlanSpec.FromPreset(PlanPresets.Light), "corr-aml") { RunId = runId };
        var report = Reports.Report(target, "light", RunOutcomes.Warm, requests: 3) with { RunId = runId, Deployment = "green" };
        _fx.Durable.Put(TaskNames.InstanceIdFor(target), OrchestrationRuntimeStatus.Completed, _fx.Time.GetUtcNow(), request, output: report,
            customStatus: JsonDataConverter.Default.Serialize(new TargetRunStatus(runId, [runId])));
        _fx.Durable.Put(runId, OrchestrationRuntimeStatus.Completed, _fx.Time.GetUtcNow(), request, output: report);

        var json = Http.Json(Assert.IsType<OkObjectResult>(
            await _fx.Api().Get(Http.Request("GET", $"/api/warmups/{target}"), target, _fx.Durable.Client, CancellationToken.None)));

        Assert.Equal((target, "green"), (json["target"]!.GetValue<string>(), json["deployment"]!.GetValue<string>()));
        Assert.Equal("green", json["result"]!["deployment"]!.GetValue<string>());
    }

    [Fact]
    public async Task Get_of_an_escalated_warmup_shows_the_escalated_run_and_the_plan_it_ran()
    {
        const string lightRun = "warmup-llama-prod-20260301T120000Z-00000001";
        const string fullRun = "warmup-llama-prod-20260301T120500Z-00000002";
        var idle = new WarmupRequest("llama-prod", WarmupReasons.Idle, PlanSpec.FromPreset(PlanPresets.Full), "corr-2");
        PutRun(fullRun, OrchestrationRuntimeStatus.Running, idle, null, new WarmupProgress(Phases.Warmup, 2, 9, "steps 2-3 of 9"), [lightRun, fullRun]);

        var json = Http.Json(Assert.IsType<OkObjectResult>(await Get()));

        Assert.Equal((fullRun, "Running", "full"), (json["id"]!.GetValue<string>(), json["runtimeStatus"]!.GetValue<string>(), json["plan"]!.GetValue<string>()));
        Assert.Equal([lightRun, fullRun], json["runs"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal("warmup", json["progress"]!["phase"]!.GetValue<string>());
        Assert.Null(json["result"]);
    }

    [Fact]
    public async Task Get_of_a_given_run_answers_that_run_and_404_for_a_run_of_another_target()
    {
        var request = new WarmupRequest("llama-prod", WarmupReasons.Manual, PlanSpec.FromPreset(PlanPresets.Light), "corr-1");
        PutRun(RunId, OrchestrationRuntimeStatus.Completed, request, Reports.Report("llama-prod", "light", RunOutcomes.NotWarm) with { RunId = RunId }, null);
        _fx.Durable.Put("warmup-llama-prod-extra-20260301T120000Z-1a2b3c4d", OrchestrationRuntimeStatus.Completed, _fx.Time.GetUtcNow(), request);

        Task<IActionResult> GetRun(string runId) =>
            _fx.Api().GetRun(Http.Request("GET", $"/api/warmups/llama-prod/runs/{runId}"), "llama-prod", runId, _fx.Durable.Client, CancellationToken.None);

        var json = Http.Json(Assert.IsType<OkObjectResult>(await GetRun(RunId)));
        Assert.Equal((RunId, "not-warm"), (json["id"]!.GetValue<string>(), json["result"]!["outcome"]!.GetValue<string>()));
        var other = Assert.IsType<NotFoundObjectResult>(await GetRun("warmup-llama-prod-extra-20260301T120000Z-1a2b3c4d"));
        Assert.Contains("has no run", Assert.IsType<ErrorBody>(other.Value).Error);
        Assert.IsType<NotFoundObjectResult>(await GetRun("warmup-llama-prod-20260301T130000Z-ffffffff"));
        Assert.IsType<NotFoundObjectResult>(await GetRun("warmup-llama-prod"));
        Assert.DoesNotContain("get:warmup-llama-prod-extra-20260301T120000Z-1a2b3c4d", _fx.Durable.Calls);
    }

    [Fact]
    public async Task Get_without_any_run_or_for_unknown_target_is_404()
    {
        var none = await Get();
        var unknown = await _fx.Api().Get(Http.Request("GET", "/api/warmups/x"), "x", _fx.Durable.Client, CancellationToken.None);

        Assert.IsType<NotFoundObjectResult>(none);
        Assert.IsType<NotFoundObjectResult>(unknown);
    }

    [Fact]
    public async Task Delete_cancels_the_running_warmup_through_its_cancel_event_with_202()
    {
        var request = new WarmupRequest("llama-prod", WarmupReasons.Manual, PlanSpec.FromPreset(PlanPresets.Light), "corr-1");
        PutRun(RunId, OrchestrationRuntimeStatus.Running, request, null, null);

        var result = await _fx.Api().Cancel(Http.Request("DELETE", "/api/warmups/llama-prod"), "llama-prod", _fx.Durable.Client, CancellationToken.None);

        var body = Assert.IsType<WarmupAccepted>(Assert.IsType<AcceptedResult>(result).Value);
        Assert.Equal(("warmup-llama-prod", RunId), (body.Id, body.RunId));
        var raised = Assert.Single(_fx.Durable.RaisedEvents);
        Assert.Equal(("warmup-llama-prod", RunCancellation.EventName), (raised.InstanceId, raised.Name));
        Assert.Contains("DELETE /api/warmups/llama-prod", raised.Payload);
        Assert.DoesNotContain(_fx.Durable.Calls, c => c.StartsWith("terminate:"));
    }

    [Fact]
    public async Task Delete_with_nothing_running_is_404()
    {
        _fx.Durable.Put("warmup-llama-prod", OrchestrationRuntimeStatus.Completed, _fx.Time.GetUtcNow(), null);

        var result = await _fx.Api().Cancel(Http.Request("DELETE", "/api/warmups/llama-prod"), "llama-prod", _fx.Durable.Client, CancellationToken.None);

        Assert.IsType<NotFoundObjectResult>(result);
        Assert.DoesNotContain(_fx.Durable.Calls, c => c.StartsWith("terminate:") || c.StartsWith("raise:"));
    }
}
