using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Warmup.Simulator;

namespace Warmup.Cli.Tests;

/// <summary>`warmup run` end to end: real simulator on loopback, the embedded Durable engine, the JSON report.</summary>
public sealed class RunCommandTests
{
    [Fact]
    public async Task Light_plan_against_the_simulator_writes_a_report_and_exits_with_the_verdict_code()
    {
        await using var simulator = await SimulatorHost.StartAsync(
            new SimulatorOptions { Profile = SimulatorProfile.Default with { TimeScale = 0.05 }, Port = 0 }, CancellationToken.None);
        var report = Path.Combine(Path.GetTempPath(), $"report-{Guid.NewGuid():n}.json");
        try
        {
            var result = await CliRunner.RunAsync(
                "run", "--endpoint", simulator.BaseUrl.ToString(), "--model", SimulatorProfile.Default.Model,
                "--plan", "light", "--json", report, "--ready-timeout", "30");

            Assert.True(result.ExitCode is ExitCodes.Warm or ExitCodes.NotWarm, $"exit {result.ExitCode}: {result.Error}");
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
            var root = json.RootElement;
            Assert.Equal("warmup.report/v1", root.GetProperty("schema").GetString());
            Assert.Equal("light", root.GetProperty("plan").GetString());
            Assert.True(root.GetProperty("readiness").GetProperty("ready").GetBoolean());
            var outcome = root.GetProperty("outcome").GetString();
            Assert.Equal(result.ExitCode == ExitCodes.Warm ? "warm" : "not-warm", outcome);
            Assert.Contains("TTFT p50", result.Output);
            Assert.Contains(outcome == "warm" ? "WARM" : "NOT WARM", result.Output);
        }
        finally
        {
            File.Delete(report);
        }
    }

    [Fact]
    public async Task Endpoint_that_never_listens_exits_never_ready_with_a_report()
    {
        var port = FreePort();
        var report = Path.Combine(Path.GetTempPath(), $"report-{Guid.NewGuid():n}.json");
        try
        {
            var result = await CliRunner.RunAsync(
                "run", "--endpoint", $"http://127.0.0.1:{port}", "--model", "m", "--plan", "light", "--json", report, "--ready-timeout", "2");

            Assert.Equal(ExitCodes.NeverReady, result.ExitCode);
            Assert.Contains("NEVER READY", result.Output);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
            Assert.Equal("never-ready", json.RootElement.GetProperty("outcome").GetString());
            Assert.False(json.RootElement.GetProperty("readiness").GetProperty("ready").GetBoolean());
        }
        finally
        {
            File.Delete(report);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>`warmup run --target NAME --config FILE`: the same targets file the Functions app reads.</summary>
public sealed class RunFromConfigTests
{
    [Fact]
    public async Task Configured_target_is_warmed_and_a_misconfigured_one_is_named_in_one_line()
    {
        await using var simulator = await SimulatorHost.StartAsync(
            new SimulatorOptions { Profile = SimulatorProfile.Default with { TimeScale = 0.05 }, Port = 0 }, CancellationToken.None);
        var config = Path.Combine(Path.GetTempPath(), $"targets-{Guid.NewGuid():n}.json");
        await File.WriteAllTextAsync(config, $$"""
            { "targets": [
              { "name": "sim", "baseUrl": "{{simulator.BaseUrl}}", "dialect": "openai", "model": "{{SimulatorProfile.Default.Model}}",
                "limits": { "readyDeadline": "00:00:30" } },
              { "name": "broken", "baseUrl": "ftp://example", "dialect": "openai", "model": "m" } ] }
            """);
        try
        {
            var good = await CliRunner.RunAsync("run", "--target", "sim", "--config", config, "--plan", "light");
            var bad = await CliRunner.RunAsync("run", "--target", "broken", "--config", config, "--plan", "light");
            var unknown = await CliRunner.RunAsync("run", "--target", "nope", "--config", config);

            Assert.True(good.ExitCode is ExitCodes.Warm or ExitCodes.NotWarm, $"exit {good.ExitCode}: {good.Error}");
            Assert.Contains($"Warm-up of {SimulatorProfile.Default.Model} at {simulator.BaseUrl.ToString().TrimEnd('/')} (light plan)", good.Output);
            Assert.Equal(ExitCodes.BadInput, bad.ExitCode);
            Assert.Contains("broken", Assert.Single(bad.ErrorLines));
            Assert.Contains("baseUrl", bad.Error);
            Assert.Equal(ExitCodes.BadInput, unknown.ExitCode);
            Assert.Contains("sim", Assert.Single(unknown.ErrorLines));
        }
        finally
        {
            File.Delete(config);
        }
    }
}
