using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Warmup.Cli.Hosting;
using Warmup.Core.Orchestration;
using Warmup.Core.Reporting;
using Warmup.Functions.Configuration;
using Warmup.Functions.Starting;
using Warmup.Functions.Tests.Support;
using Warmup.Functions.Triggers;
using Warmup.Integration.Tests.Reliability;

namespace Warmup.Functions.Tests.Reliability;

/// <summary>
/// The canary key through the Functions app's own shims and services on the in-process engine, against a server that
/// reflects the Authorization header it received into its error bodies: the key reaches the server (from the app
/// setting named by auth.apiKeySetting) and appears in none of the HTTP answers that serve runs and targets:
/// the 202, GET /api/warmups/{target}, GET /api/warmups/{target}/runs/{runId} and GET /api/targets, nor in any log line.
/// </summary>
public sealed class CanaryKeyApiTests
{
    private const string Canary = "sk-CANARY-api-7e41d2";

    [Fact]
    public async Task A_key_echoed_back_by_the_server_appears_in_no_status_or_targets_answer()
    {
        await using var server = await ReflectingServer.StartAsync();
        var logs = new CapturingLoggerProvider();
        var targets = new JsonArray(new JsonObject
        {
            ["name"] = "canary",
            ["baseUrl"] = server.BaseUrl.ToString(),
            ["model"] = "tiny",
            ["auth"] = new JsonObject { ["apiKeySetting"] = "CANARY_KEY" },
            ["limits"] = new JsonObject { ["readyDeadline"] = "00:00:10", ["requestTimeout"] = "00:00:10" },
        }).ToJsonString();
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [AppSettingNames.Targets] = targets,
            ["CANARY_KEY"] = Canary,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        services.AddSingleton<IConfiguration>(settings);
        services.AddWarmupFunctions(settings);
        await using var app = services.BuildServiceProvider();
        await using var durable = await FreePortTestHost.StartAsync(
            registry => FunctionShims.Register(registry, app), port => new DurableTaskTestHostOptions { Port = port });
        var warmups = ActivatorUtilities.CreateInstance<WarmupApi>(app);
        var targetsApi = ActivatorUtilities.CreateInstance<TargetsApi>(app);

        var started = await warmups.Start(Http.Request("POST", "/api/warmups/canary", """{"plan":"light"}"""), "canary", durable.Client, CancellationToken.None);
        var accepted = Assert.IsType<WarmupAccepted>(Assert.IsType<AcceptedResult>(started).Value);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var done = await durable.Client.WaitForInstanceCompletionAsync(TaskNames.InstanceIdFor("canary"), getInputsAndOutputs: true, timeout.Token);
        var report = done.ReadOutputAs<WarmupReport>()!;
        var runId = Assert.IsType<string>(accepted.RunId);

        // The key did reach the server, which sent it back in its 401 body; the run stopped at that answer.
        Assert.Contains($"Bearer {Canary}", server.Seen);
        Assert.Equal(RunOutcomes.Aborted, report.Outcome);
        string[] answers =
        [
            JsonSerializer.Serialize(accepted, JsonSerializerOptions.Web),
            Answer(await warmups.Get(Http.Request("GET", "/api/warmups/canary"), "canary", durable.Client, CancellationToken.None)),
            Answer(await warmups.GetRun(Http.Request("GET", $"/api/warmups/canary/runs/{runId}"), "canary", runId, durable.Client, CancellationToken.None)),
            Answer(await targetsApi.List(Http.Request("GET", "/api/targets"), durable.Client, CancellationToken.None)),
        ];
        // The runs route serves this run's report, with the server's (redacted) error text in it.
        Assert.Contains(runId, answers[2], StringComparison.Ordinal);
        Assert.Contains("HttpError:401", answers[2], StringComparison.Ordinal);
        Assert.Contains("canary", answers[3], StringComparison.Ordinal);
        Assert.NotEmpty(logs.Records);
        Assert.All(answers, text => Assert.DoesNotContain(Canary, text, StringComparison.Ordinal));
        Assert.All(logs.Records, r => Assert.DoesNotContain(Canary, $"{r.Message} {string.Join(" ", r.Fields.Values)}", StringComparison.Ordinal));
    }

    private static string Answer(IActionResult result) => Http.Json(Assert.IsType<OkObjectResult>(result)).ToJsonString();
}
