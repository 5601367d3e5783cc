using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Warmup.Core.Targets;
using Warmup.Functions.Events;
using Warmup.Functions.Starting;
using Warmup.Functions.Tests.Support;
using Warmup.Functions.Triggers;

namespace Warmup.Functions.Tests.Triggers;

public sealed class DeploymentWebhookTests
{
    private readonly TriggerFixture _fx = new();

    private Task<IActionResult> Post(string body, string contentType = "application/json", IDictionary<string, string>? headers = null) =>
        _fx.Webhook().Run(Http.Request("POST", "/api/events", body, contentType, headers), _fx.Durable.Client, CancellationToken.None);

    [Fact]
    public async Task Subscription_validation_answers_with_the_published_response()
    {
        var result = await Post(FixturePaths.ReadEventGrid("subscription-validation.eventgrid.json"),
            headers: new Dictionary<string, string> { ["aeg-event-type"] = "SubscriptionValidation" });

        var ok = Assert.IsType<OkObjectResult>(result);
        Assert.Equal(StatusCodes.Status200OK, ok.StatusCode);
        var expected = JsonNode.Parse(FixturePaths.ReadEventGrid("subscription-validation.response.json"));
        Assert.True(JsonNode.DeepEquals(expected, Http.Json(result)), Http.Json(result).ToJsonString());
        Assert.Empty(_fx.Durable.Scheduled);
    }

    [Fact]
    public async Task Validation_header_without_a_validation_event_is_a_bad_request()
    {
        var result = await Post(FixturePaths.ReadEventGrid("blob-created.eventgrid.json"),
            headers: new Dictionary<string, string> { ["aeg-event-type"] = "SubscriptionValidation" });

        Assert.IsType<BadRequestObjectResult>(result);
    }

    [Fact]
    public async Task Options_handshake_echoes_the_origin_and_allows_any_rate()
    {
        var request = Http.Request("OPTIONS", "/api/events", headers: new Dictionary<string, string> { ["WebHook-Request-Origin"] = "eventgrid.azure.net" });

        var result = await _fx.Webhook().Run(request, _fx.Durable.Client, CancellationToken.None);
        var context = new DefaultHttpContext();
        await result.ExecuteResultAsync(new ActionContext { HttpContext = context });

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("eventgrid.azure.net", context.Response.Headers["WebHook-Allowed-Origin"].ToString());
        Assert.Equal("*", context.Response.Headers["WebHook-Allowed-Rate"].ToString());
        Assert.Contains("POST", context.Response.Headers.Allow.ToString());
    }

    [Fact]
    public async Task Options_without_an_origin_is_refused()
    {
        var result = await _fx.Webhook().Run(Http.Request("OPTIONS", "/api/events"), _fx.Durable.Client, CancellationToken.None);

        Assert.IsType<BadRequestObjectResult>(result);
    }

    [Fact]
    public async Task Event_grid_batch_starts_matches_and_reports_ignored_ones()
    {
        var batch = new JsonArray(
            JsonNode.Parse(FixturePaths.ReadEventGrid("resource-write-success.eventgrid.json"))!.AsArray()[0]!.DeepClone(),
            JsonNode.Parse(FixturePaths.ReadEventGrid("ml-model-deployed.eventgrid.json"))!.AsArray()[0]!.DeepClone(),
            JsonNode.Parse(FixturePaths.ReadEventGrid("blob-created.eventgrid.json"))!.AsArray()[0]!.DeepClone(),
            JsonNode.Parse(FixturePaths.ReadEventGrid("resource-write-success.eventgrid.json"))!.AsArray()[0]!.DeepClone());

        var result = await Post(batch.ToJsonString());

        var summary = Assert.IsType<DeploymentSummary>(Assert.IsType<OkObjectResult>(result).Value);
        Assert.Equal((2, 0, 1, 1), (summary.Started, summary.Restarted, summary.Skipped, summary.Ignored));
        Assert.Equal(["warmup-storage-bound", "warmup-sklearn"], _fx.Durable.Scheduled.Select(s => s.InstanceId));
        Assert.Equal(SkipReasons.DuplicateEvent, summary.Events[3].Reason);
        Assert.Equal("Microsoft.Storage.BlobCreated", Assert.Single(_fx.Events.Ignored).EventType);
        var json = Http.Json(result);
        Assert.Equal(2, json["started"]!.GetValue<int>());
        Assert.Equal("ignored", json["events"]![2]!["result"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("resource-write-success.cloudevent.json", DeploymentEventReader.CloudEventsContentType, "warmup-storage-bound")]
    [InlineData("ml-model-deployed.cloudevent.json", DeploymentEventReader.CloudEventsContentType + "; charset=utf-8", "warmup-sklearn")]
    [InlineData("acr-image-pushed.cloudevent.json", "application/json", "warmup-vllm-image")]
    public async Task Structured_cloud_events_start_their_targets(string file, string contentType, string instanceId)
    {
        var result = await Post(FixturePaths.ReadEventGrid(file), contentType);

        Assert.IsType<OkObjectResult>(result);
        Assert.Equal(instanceId, Assert.Single(_fx.Durable.Scheduled).InstanceId);
    }

    [Fact]
    public async Task Cloud_events_batch_with_custom_warmup_event_names_a_configured_target()
    {
        var batch = $$"""
            [ {{FixturePaths.ReadEventGrid("custom-cloudevents.batch.json").Trim().TrimStart('[').TrimEnd(']')}},
              { "specversion": "1.0", "type": "warmup.deployment.completed", "source": "/ci/llm", "id": "run-7-1",
                "data": { "target": "llama-prod" } },
              { "specversion": "1.0", "type": "warmup.deployment.completed", "source": "/ci/llm", "id": "run-7-2",
                "data": { "target": "evil", "baseUrl": "http://169.254.169.254/" } } ]
            """;

        var result = await Post(batch, DeploymentEventReader.CloudEventsBatchContentType);

        var summary = Assert.IsType<DeploymentSummary>(Assert.IsType<OkObjectResult>(result).Value);
        Assert.Equal((1, 2), (summary.Started, summary.Ignored));
        var scheduled = Assert.Single(_fx.Durable.Scheduled);
        Assert.Equal(("warmup-llama-prod", "run-7-1"), (scheduled.InstanceId, scheduled.Request.CorrelationId));
        Assert.Equal([IgnoreReasons.UnsupportedType, IgnoreReasons.UnknownTarget], _fx.Events.Ignored.Select(i => i.Reason));
    }

    [Fact]
    public async Task Binary_mode_cloud_event_starts_its_target_like_a_structured_one()
    {
        var headers = new Dictionary<string, string>
        {
            ["ce-specversion"] = "1.0",
            ["ce-type"] = "warmup.deployment.completed",
            ["ce-source"] = "/ci/llm",
            ["ce-id"] = "run-9",
            ["ce-subject"] = "llama",
        };

        var result = await Post("""{ "target": "llama-prod" }""", "application/json", headers);

        var summary = Assert.IsType<DeploymentSummary>(Assert.IsType<OkObjectResult>(result).Value);
        Assert.Equal(1, summary.Started);
        var scheduled = Assert.Single(_fx.Durable.Scheduled);
        Assert.Equal(("warmup-llama-prod", "run-9"), (scheduled.InstanceId, scheduled.Request.CorrelationId));
    }

    [Fact]
    public async Task Binary_mode_cloud_event_without_a_type_is_a_400_naming_the_header()
    {
        var headers = new Dictionary<string, string> { ["ce-specversion"] = "1.0", ["ce-source"] = "/ci/llm", ["ce-id"] = "run-9" };

        var result = await Post("""{ "target": "llama-prod" }""", "application/json", headers);

        var bad = Assert.IsType<BadRequestObjectResult>(result);
        Assert.Contains("lacks the ce-type header", Assert.IsType<ErrorBody>(bad.Value).Error);
        Assert.Empty(_fx.Durable.Scheduled);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("{ not json", "not valid JSON")]
    [InlineData("[{\"id\":\"1\"}]", "not a valid Event Grid schema event")]
    [InlineData("[\"a\"]", "expected a JSON object")]
    public async Task Malformed_body_is_a_400_with_a_clear_message(string body, string expected)
    {
        var result = await Post(body);

        var bad = Assert.IsType<BadRequestObjectResult>(result);
        Assert.Contains(expected, Assert.IsType<ErrorBody>(bad.Value).Error);
        Assert.Empty(_fx.Durable.Scheduled);
    }

    [Fact]
    public async Task Same_event_delivered_twice_starts_once()
    {
        var body = FixturePaths.ReadEventGrid("acr-image-pushed.eventgrid.json");
        await Post(body);
        _fx.Time.Advance(TimeSpan.FromMinutes(2));

        var second = await Post(body);

        Assert.Single(_fx.Durable.Scheduled);
        var summary = Assert.IsType<DeploymentSummary>(Assert.IsType<OkObjectResult>(second).Value);
        Assert.Equal(SkipReasons.DuplicateEvent, Assert.Single(summary.Events).Reason);
    }

    [Fact]
    public async Task Oversized_body_is_refused()
    {
        var big = "[" + new string(' ', DeploymentWebhook.MaxBodyBytes) + "]";

        var result = await Post(big);

        Assert.Equal(StatusCodes.Status413PayloadTooLarge, Http.Status(result));
        Assert.Empty(_fx.Durable.Scheduled);
    }

    [Fact]
    public async Task Unknown_catalog_means_events_are_ignored_not_failed()
    {
        var fx = new TriggerFixture(TargetCatalog.Empty);

        var result = await fx.Webhook().Run(Http.Request("POST", "/api/events", FixturePaths.ReadEventGrid("resource-write-success.eventgrid.json")), fx.Durable.Client, CancellationToken.None);

        var summary = Assert.IsType<DeploymentSummary>(Assert.IsType<OkObjectResult>(result).Value);
        Assert.Equal(IgnoreReasons.NoMatchingTarget, Assert.Single(summary.Events).Reason);
    }
}
