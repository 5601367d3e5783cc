using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Warmup.Core.Orchestration;
using Warmup.Functions.Configuration;
using Warmup.Functions.Idle;
using Warmup.Functions.ShapeMaps;
using Warmup.Functions.Traffic;
using Warmup.Functions.Triggers;

namespace Warmup.Functions.Tests.App;

/// <summary>
/// The Functions host cannot run here, so the app's build output is checked instead: functions.metadata (what the host
/// indexes), host.json and the local settings sample.
/// </summary>
public sealed class BuildOutputTests
{
    private static readonly Lazy<JsonArray> Metadata = new(() =>
    {
        // The test project references the app, so its build produced functions.metadata next to the app's binaries.
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;   // .../bin/<Configuration>/net10.0
        var path = Path.Combine(FixturePaths.RepoRoot, "src", "Warmup.Functions", "bin", configuration, "net10.0", "functions.metadata");
        Assert.True(File.Exists(path), $"{path} is missing: build src/Warmup.Functions");
        return JsonNode.Parse(File.ReadAllText(path))!.AsArray();
    });

    private static JsonObject Function(string name) =>
        Metadata.Value.Select(f => f!.AsObject()).SingleOrDefault(f => f["name"]!.GetValue<string>() == name)
        ?? throw new Xunit.Sdk.XunitException($"functions.metadata has no function '{name}'");

    private static JsonObject Binding(string function, string type) =>
        Function(function)["bindings"]!.AsArray().Select(b => b!.AsObject()).Single(b => b["type"]!.GetValue<string>() == type);

    [Fact]
    public void Declares_exactly_the_expected_functions()
    {
        string[] expected =
        [
            DeploymentQueueTrigger.FunctionName, DeploymentWebhook.FunctionName, IdleRewarmTimer.FunctionName,
            WarmupApi.StartFunctionName, WarmupApi.GetFunctionName, WarmupApi.CancelFunctionName, WarmupApi.GetRunFunctionName,
            TargetsApi.FunctionName,
            TaskNames.TargetWarmupOrchestration, TaskNames.WarmupOrchestration, TaskNames.WaitUntilReady, TaskNames.ResolvePlan, TaskNames.RunStep, TaskNames.Verify, TaskNames.Record, TaskNames.ReadLoad,
            TaskNames.PlanRound, TaskNames.SaveShapeMap,
            IdleTrackerEntity.EntityName, ShapeMapEntity.EntityName, ObservedTrafficEntity.EntityName,
        ];

        Assert.Equal(expected.Order(), Metadata.Value.Select(f => f!["name"]!.GetValue<string>()).Order());
    }

    [Fact]
    public void Queue_trigger_reads_the_configured_queue_on_the_host_storage()
    {
        var trigger = Binding(DeploymentQueueTrigger.FunctionName, "queueTrigger");

        Assert.Equal("%WARMUP_DEPLOYMENT_QUEUE%", trigger["queueName"]!.GetValue<string>());
        Assert.Equal(AppSettingNames.StorageConnection, trigger["connection"]!.GetValue<string>());
        Binding(DeploymentQueueTrigger.FunctionName, "durableClient");
    }

    [Fact]
    public void Queue_trigger_returns_its_dead_letters_to_the_configured_queue_on_the_same_connection()
    {
        var output = Binding(DeploymentQueueTrigger.FunctionName, "queue");

        Assert.Equal("Out", output["direction"]!.GetValue<string>());
        Assert.Equal("$return", output["name"]!.GetValue<string>());
        Assert.Equal("%WARMUP_DEADLETTER_QUEUE%", output["queueName"]!.GetValue<string>());
        Assert.Equal(AppSettingNames.StorageConnection, output["connection"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(DeploymentWebhook.FunctionName, "events", new[] { "post", "options" })]
    [InlineData(WarmupApi.StartFunctionName, "warmups/{target}", new[] { "post" })]
    [InlineData(WarmupApi.GetFunctionName, "warmups/{target}", new[] { "get" })]
    [InlineData(WarmupApi.CancelFunctionName, "warmups/{target}", new[] { "delete" })]
    [InlineData(WarmupApi.GetRunFunctionName, "warmups/{target}/runs/{runId}", new[] { "get" })]
    [InlineData(TargetsApi.FunctionName, "targets", new[] { "get" })]
    public void Http_functions_use_function_keys_and_their_routes(string function, string route, string[] methods)
    {
        var trigger = Binding(function, "httpTrigger");

        Assert.Equal("Function", trigger["authLevel"]!.GetValue<string>());
        Assert.Equal(route, trigger["route"]!.GetValue<string>());
        Assert.Equal(methods, trigger["methods"]!.AsArray().Select(m => m!.GetValue<string>()));
        Binding(function, "durableClient");
    }

    [Fact]
    public void No_http_function_is_anonymous_in_the_built_metadata_or_in_the_code()
    {
        // Every HTTP route, present and future (GET /api/targets, runs/{runId}), needs a function key: the host checks the
        // code query parameter or x-functions-key header before the function runs, handshakes included.
        var httpBindings = Metadata.Value.SelectMany(f => f!["bindings"]!.AsArray())
            .Select(b => b!.AsObject()).Where(b => b["type"]!.GetValue<string>() == "httpTrigger").ToList();
        Assert.True(httpBindings.Count >= 4, $"only {httpBindings.Count} HTTP functions in functions.metadata");
        Assert.All(httpBindings, b => Assert.Equal("Function", b["authLevel"]!.GetValue<string>()));

        var triggers = typeof(WarmupApi).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.DeclaredOnly))
            .SelectMany(m => m.GetParameters())
            .Select(p => p.GetCustomAttributes(typeof(Microsoft.Azure.Functions.Worker.HttpTriggerAttribute), false).Cast<Microsoft.Azure.Functions.Worker.HttpTriggerAttribute>().SingleOrDefault())
            .OfType<Microsoft.Azure.Functions.Worker.HttpTriggerAttribute>()
            .ToList();
        Assert.Equal(httpBindings.Count, triggers.Count);
        Assert.All(triggers, t => Assert.Equal(Microsoft.Azure.Functions.Worker.AuthorizationLevel.Function, t.AuthLevel));
    }

    [Fact]
    public void Timer_runs_on_the_configured_schedule()
    {
        Assert.Equal("%WARMUP_IDLE_SCHEDULE%", Binding(IdleRewarmTimer.FunctionName, "timerTrigger")["schedule"]!.GetValue<string>());
        Binding(IdleRewarmTimer.FunctionName, "durableClient");
    }

    [Fact]
    public void Orchestrator_activities_and_entity_have_durable_triggers()
    {
        Binding(TaskNames.TargetWarmupOrchestration, "orchestrationTrigger");
        Binding(TaskNames.WarmupOrchestration, "orchestrationTrigger");
        foreach (var activity in new[] { TaskNames.WaitUntilReady, TaskNames.ResolvePlan, TaskNames.RunStep, TaskNames.Verify, TaskNames.Record, TaskNames.ReadLoad, TaskNames.PlanRound, TaskNames.SaveShapeMap })
        {
            Binding(activity, "activityTrigger");
        }

        Binding(IdleTrackerEntity.EntityName, "entityTrigger");
        Binding(ShapeMapEntity.EntityName, "entityTrigger");
        Binding(ObservedTrafficEntity.EntityName, "entityTrigger");
        // The shape-map activities reach their entity through their own durable client binding.
        Binding(TaskNames.PlanRound, "durableClient");
        Binding(TaskNames.SaveShapeMap, "durableClient");
    }

    [Fact]
    public void Host_json_has_the_expected_shape()
    {
        var host = JsonNode.Parse(File.ReadAllText(FixturePaths.RepoFile("host.json")))!;

        Assert.Equal("2.0", host["version"]!.GetValue<string>());
        Assert.Equal("OpenTelemetry", host["telemetryMode"]!.GetValue<string>());
        // extensions must sit at the root (a sample once nested it under logging, where the hub name is silently ignored)
        Assert.False(string.IsNullOrWhiteSpace(host["extensions"]!["durableTask"]!["hubName"]!.GetValue<string>()));
        var maxDequeue = host["extensions"]!["queues"]!["maxDequeueCount"]!.GetValue<int>();
        Assert.InRange(maxDequeue, 1, 10);
        Assert.Null(host["logging"]?["extensions"]);
    }

    [Fact]
    public void Host_passes_queue_messages_through_undecoded_so_raw_json_reaches_the_trigger()
    {
        // With the default (base64) the host fails a raw JSON message before the function runs; the trigger decodes base64 itself.
        var host = JsonNode.Parse(File.ReadAllText(FixturePaths.RepoFile("host.json")))!;

        Assert.Equal("none", host["extensions"]!["queues"]!["messageEncoding"]!.GetValue<string>());
    }

    [Fact]
    public void Host_keeps_azure_sdk_request_logging_at_warning()
    {
        var host = JsonNode.Parse(File.ReadAllText(FixturePaths.RepoFile("host.json")))!;

        Assert.Equal("Warning", host["logging"]!["logLevel"]!["Azure.Core"]!.GetValue<string>());
    }

    [Fact]
    public void Local_settings_sample_names_every_app_setting_and_uses_azurite()
    {
        var values = JsonNode.Parse(File.ReadAllText(FixturePaths.RepoFile("local.settings.sample.json")))!["Values"]!.AsObject();

        Assert.Equal("UseDevelopmentStorage=true", values["AzureWebJobsStorage"]!.GetValue<string>());
        Assert.Equal("dotnet-isolated", values["FUNCTIONS_WORKER_RUNTIME"]!.GetValue<string>());
        foreach (var setting in AppSettingNames.All)
        {
            Assert.True(values.ContainsKey(setting), $"local.settings.sample.json lacks {setting}");
        }

        Assert.Equal(WarmupOptions.DefaultIdleSchedule, values[AppSettingNames.IdleSchedule]!.GetValue<string>());
    }

    [Fact]
    public void Sample_targets_are_valid()
    {
        var values = JsonNode.Parse(File.ReadAllText(FixturePaths.RepoFile("local.settings.sample.json")))!["Values"]!.AsObject();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value!.GetValue<string>())))
            .Build();

        var catalog = Core.Targets.TargetCatalog.FromConfiguration(configuration, AppSettingNames.Targets);

        Assert.Empty(catalog.Problems);
        Assert.Single(catalog.Targets);
    }
}
