using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;
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
    ]));

    private Task<IActionResult> Post(string target, string? body = null) =>
        _fx.Api().Start(Http.Request("POST", $"/api/warmups/{target}", body), target, _fx.Durable.Client, CancellationToken.None);

    [Fact]
    public async Task Post_without_body_starts_a_default_warmup_and_answers_202_with_status_urls()
    {
        var result = await Post("llama-prod");

        var accepted = Assert.IsType<AcceptedResult>(result);
        Assert.Equal("https://warmup-app.azurewebsites.net/api/warmups/llama-prod", accepted.Location);
        var body = Assert.IsType<WarmupAccepted>(accepted.Value);
        Assert.Equal(("warmup-llama-prod", accepted.Location, accepted.Location), (body.Id, body.StatusUri, body.CancelUri));
        Assert.DoesNotContain("code=", accepted.Location);
        var scheduled = Assert.Single(_fx.Durable.Scheduled);
        Assert.Equal((WarmupReasons.Manual, PlanPresets.Default, 1.2), (scheduled.Request.Reason, scheduled.Request.Plan.Preset, scheduled.Request.Threshold));
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
        string error = Assert.IsType<ErrorBody>(conflict.Value).Error;
        Assert.Contains("already warming", error);
        Assert.Contains("DELETE", error);
        Assert.Empty(_fx.Durable.Scheduled);
    }

    [Theory]
    [InlineData("""{"plan":"turbo"}""", "unknown plan 'turbo'")]
    [InlineData("""{"plan":"http://10.0.0.1:8000/v1"}""", "unknown plan")]
    [InlineData("""{"baseUrl":"http://169.254.169.254/"}""", "unknown field 'baseUrl'")]
    [InlineData("""{"plan":"light","url":"http://evil"}""", "unknown field 'url'")]
    [InlineData("""{"threshold":0.5}""", "threshold must be a number between 1 and 10")]
    [InlineData("""{"plan":{"name":"x","steps":[]}}""", "plan.steps must be an array of 1 to 64 steps")]
    [InlineData("""{"plan":{"name":"x","steps":[{"promptTokens":10,"maxOutputTokens":10,"concurrency":9}]}}""", "plan.steps[0].concurrency must be a whole number between 1 and 8")]
    [InlineData("""{"plan":{"name":"x","steps":[{"promptTokens":10,"maxOutputTokens":10,"concurrency":1,"adapter":"other"}]}}""", "adapter 'other' is not served")]
    [InlineData("""{"plan":{"steps":[{"promptTokens":10,"maxOutputTokens":10,"concurrency":1}]}}""", "plan.name is required")]
    [InlineData("""{"plan":{"name":"x","baseUrl":"http://evil","steps":[]}}""", "unknown plan field 'baseUrl'")]
    [InlineData("[1]", "must be a JSON object")]
    [InlineData("{", "not valid JSON")]
    public async Task Bad_body_is_400_with_a_clear_message_and_nothing_starts(string body, string expected)
    {
        var result = await Post("llama-prod", body);

        var bad = Assert.IsType<BadRequestObjectResult>(result);
        Assert.Contains(expected, Assert.IsType<ErrorBody>(bad.Value).Error);
        Assert.Empty(_fx.Durable.Scheduled);
    }

    [Fact]
    public async Task Get_reports_status_progress_and_last_result()
    {
        var request = new WarmupRequest("llama-prod", WarmupReasons.Manual, PlanSpec.FromPreset(PlanPresets.Light), "corr-1");
        _fx.Durable.Put("warmup-llama-prod", OrchestrationRuntimeStatus.Completed, _fx.Time.GetUtcNow(), request,
            output: Reports.Report("llama-prod", "light", RunOutcomes.Warm, requests: 42),
            customStatus: """{"phase":"verify","step":3,"totalSteps":3,"description":"done"}""");

        var result = await _fx.Api().Get(Http.Request("GET", "/api/warmups/llama-prod"), "llama-prod", _fx.Durable.Client, CancellationToken.None);

        var json = Http.Json(Assert.IsType<OkObjectResult>(result));
        Assert.Equal("Completed", json["runtimeStatus"]!.GetValue<string>());
        Assert.Equal("manual", json["reason"]!.GetValue<string>());
        Assert.Equal("corr-1", json["correlationId"]!.GetValue<string>());
        Assert.Equal("verify", json["progress"]!["phase"]!.GetValue<string>());
        Assert.Equal("warm", json["result"]!["Outcome"]?.GetValue<string>() ?? json["result"]!["outcome"]!.GetValue<string>());
    }

    [Fact]
    public async Task Get_without_any_run_or_for_unknown_target_is_404()
    {
        var none = await _fx.Api().Get(Http.Request("GET", "/api/warmups/llama-prod"), "llama-prod", _fx.Durable.Client, CancellationToken.None);
        var unknown = await _fx.Api().Get(Http.Request("GET", "/api/warmups/x"), "x", _fx.Durable.Client, CancellationToken.None);

        Assert.IsType<NotFoundObjectResult>(none);
        Assert.IsType<NotFoundObjectResult>(unknown);
    }

    [Fact]
    public async Task Delete_terminates_a_running_warmup_with_202()
    {
        _fx.Durable.Put("warmup-llama-prod", OrchestrationRuntimeStatus.Running, _fx.Time.GetUtcNow(), null);

        var result = await _fx.Api().Cancel(Http.Request("DELETE", "/api/warmups/llama-prod"), "llama-prod", _fx.Durable.Client, CancellationToken.None);

        Assert.IsType<AcceptedResult>(result);
        Assert.Contains("terminate:warmup-llama-prod", _fx.Durable.Calls);
        Assert.Contains("cancelled", _fx.Durable.TerminateOutputs.Single());
    }

    [Fact]
    public async Task Delete_with_nothing_running_is_404()
    {
        _fx.Durable.Put("warmup-llama-prod", OrchestrationRuntimeStatus.Completed, _fx.Time.GetUtcNow(), null);

        var result = await _fx.Api().Cancel(Http.Request("DELETE", "/api/warmups/llama-prod"), "llama-prod", _fx.Durable.Client, CancellationToken.None);

        Assert.IsType<NotFoundObjectResult>(result);
        Assert.DoesNotContain(_fx.Durable.Calls, c => c.StartsWith("terminate:"));
    }
}
