using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Converters;
using Microsoft.Extensions.Configuration;
using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;
using Warmup.Functions.Configuration;
using Warmup.Functions.Tests.Support;
using Warmup.Functions.Triggers;

namespace Warmup.Functions.Tests.Triggers;

/// <summary>A configured-but-invalid target explained by the API, and GET /api/targets.</summary>
public sealed class TargetsApiTests
{
    private const string SecretValue = "sk-live-0123456789abcdef";
    private readonly IConfiguration _settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        [AppSettingNames.Targets] = """[ { "name": "good", "baseUrl": "http://10.0.0.4:8000/", "model": "m", "auth": { "apiKeySetting": "GOOD_KEY" } }, { "name": "broken", "baseUrl": "not a url", "model": "m" } ]""",
        ["GOOD_KEY"] = SecretValue,
    }).Build();

    private readonly TriggerFixture _fx;

    public TargetsApiTests() => _fx = new TriggerFixture(TargetCatalog.FromConfiguration(_settings, AppSettingNames.Targets));

    [Fact]
    public async Task Post_and_get_on_a_configured_but_invalid_target_say_why()
    {
        var post = await _fx.Api().Start(Http.Request("POST", "/api/warmups/broken"), "broken", _fx.Durable.Client, CancellationToken.None);
        var get = await _fx.Api().Get(Http.Request("GET", "/api/warmups/broken"), "broken", _fx.Durable.Client, CancellationToken.None);

        foreach (var answer in new[] { post, get })
        {
            var error = Assert.IsType<ErrorBody>(Assert.IsType<NotFoundObjectResult>(answer).Value).Error;
            Assert.StartsWith("target 'broken' is configured but invalid: baseUrl 'not a url'", error);
        }
        Assert.Empty(_fx.Durable.Scheduled);
    }

    [Fact]
    public async Task Targets_lists_validity_problems_and_the_last_run_without_secrets()
    {
        const string runId = "warmup-good-20260301T120000Z-1a2b3c4d";
        var request = new WarmupRequest("good", WarmupReasons.Manual, PlanSpec.FromPreset(PlanPresets.Light), "c", RunId: runId);
        var report = Reports.Report("good", "light", RunOutcomes.NotWarm) with { RunId = runId, FinishedAt = _fx.Time.GetUtcNow().AddMinutes(2) };
        _fx.Durable.Put("warmup-good", OrchestrationRuntimeStatus.Completed, _fx.Time.GetUtcNow(), request, output: report,
            customStatus: JsonDataConverter.Default.Serialize(new TargetRunStatus(runId, [runId])));
        _fx.Durable.Put(runId, OrchestrationRuntimeStatus.Completed, _fx.Time.GetUtcNow(), request, output: report);
        var api = new TargetsApi(_fx.Catalog, new StartupValidation(_fx.Catalog, [], _settings));

        var result = await api.List(Http.Request("GET", "/api/targets"), _fx.Durable.Client, CancellationToken.None);

        var json = Http.Json(Assert.IsType<OkObjectResult>(result));
        var targets = json["targets"]!.AsArray();
        var good = targets.Single(t => t!["name"]!.GetValue<string>() == "good")!;
        Assert.True(good["valid"]!.GetValue<bool>());
        Assert.Equal(("openai", "m", "http://10.0.0.4:8000/"), (good["dialect"]!.GetValue<string>(), good["model"]!.GetValue<string>(), good["baseUrl"]!.GetValue<string>()));
        Assert.Equal((runId, "not-warm"), (good["lastRun"]!["id"]!.GetValue<string>(), good["lastRun"]!["outcome"]!.GetValue<string>()));
        Assert.Equal(report.FinishedAt, good["lastRun"]!["at"]!.GetValue<DateTimeOffset>());
        var broken = targets.Single(t => t!["name"]!.GetValue<string>() == "broken")!;
        Assert.False(broken["valid"]!.GetValue<bool>());
        Assert.StartsWith("baseUrl 'not a url'", broken["problems"]![0]!.GetValue<string>());
        Assert.Null(broken["lastRun"]);
        Assert.Contains(json["problems"]!.AsArray(), p => p!.GetValue<string>().StartsWith("target 'broken':"));
        Assert.DoesNotContain(SecretValue, json.ToJsonString());
    }
}
