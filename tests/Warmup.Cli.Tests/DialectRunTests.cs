using System.Net.Http.Json;
using System.Text.Json;
using Warmup.Simulator;

namespace Warmup.Cli.Tests;

/// <summary>
/// `warmup run --dialect X` against the simulator speaking X, end to end: readiness, the full plan and verification over
/// the family's native route, with not one failed request. The verdict itself is the verdict's business (its own tests);
/// here a dialect must carry a whole run.
/// </summary>
public sealed class DialectRunTests
{
    // A small model (4096 context, 6 prefill buckets, 3 graph sizes) so the full plan stays short; no jitter.
    private static SimulatorProfile Small => SimulatorProfile.Default with
    {
        TimeScale = 0.1,
        StartupDelayMs = 5000,
        JitterFraction = 0,
        MaxModelLen = 4096,
        MaxNumBatchedTokens = 4096,
        PrefillBuckets = [128, 256, 512, 1024, 2048, 4096],
        CudaGraphCaptureSizes = [1, 2, 4],
        IdleAfterMs = 600_000,
    };

    [Theory]
    [InlineData("tgi", ServerFamily.Tgi, "/generate_stream")]
    [InlineData("sglang", ServerFamily.Sglang, "/generate")]
    [InlineData("llamacpp", ServerFamily.LlamaCpp, "/completion")]
    [InlineData("ollama", ServerFamily.Ollama, "/api/generate")]
    [InlineData("triton", ServerFamily.Triton, "/v2/models/")]
    [InlineData("auto", ServerFamily.Sglang, "/generate")]
    public async Task Run_in_each_dialect_warms_the_simulator_over_its_native_route(string dialect, string family, string route)
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Family = family, Profile = Small, Port = 0 }, CancellationToken.None);

        var (result, report) = await RunAsync("--endpoint", simulator.BaseUrl.ToString(), "--dialect", dialect);

        Assert.True(report.GetProperty("readiness").GetProperty("ready").GetBoolean(), result.Output);
        var totals = report.GetProperty("totals");
        Assert.Equal(0, totals.GetProperty("failed").GetInt32());
        Assert.True(totals.GetProperty("requests").GetInt32() > 10);
        var endpoints = simulator.Log.Since(0).Select(r => r.Endpoint).Distinct().ToList();
        Assert.All(endpoints, e => Assert.StartsWith(route, e));
        if (dialect == "auto")
        {
            Assert.Contains("Dialect auto: the server is sglang", result.Output);
            Assert.Equal("auto:sglang", report.GetProperty("dialect").GetString());
        }
    }

    [Fact]
    public async Task Azureml_run_warms_the_named_deployment_only_and_names_it_in_the_report()
    {
        await using var simulator = await SimulatorHost.StartAsync(
            new SimulatorOptions { Family = ServerFamily.AzureMl, Profile = Small, Port = 0, ApiKey = "aml-key" }, CancellationToken.None);
        Environment.SetEnvironmentVariable("WARMUP_TEST_AML_KEY", "aml-key");

        var (result, report) = await RunAsync(
            "--endpoint", simulator.BaseUrl.ToString(), "--dialect", "azureml", "--api", "chat", "--deployment", "green",
            "--api-key-env", "WARMUP_TEST_AML_KEY");

        Assert.True(report.GetProperty("readiness").GetProperty("ready").GetBoolean(), result.Output);
        Assert.Equal(0, report.GetProperty("totals").GetProperty("failed").GetInt32());
        Assert.Equal("endpoint@green", report.GetProperty("target").GetString());
        Assert.True(simulator.DeploymentState("green").Initialised);
        Assert.False(simulator.DeploymentState("blue").Initialised);
    }

    [Fact]
    public async Task Azureml_without_a_key_is_bad_input_before_any_traffic()
    {
        var result = await CliRunner.RunAsync("run", "--endpoint", "http://127.0.0.1:9", "--dialect", "azureml", "--model", "m", "--deployment", "green");

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("--dialect azureml needs the endpoint key", result.Error);
    }

    [Fact]
    public async Task Wrong_dialect_names_what_the_server_looks_like()
    {
        await using var simulator = await SimulatorHost.StartAsync(
            new SimulatorOptions { Family = ServerFamily.Ollama, Profile = Small with { StartupDelayMs = 0 }, Port = 0 }, CancellationToken.None);

        var result = await CliRunner.RunAsync(
            "run", "--endpoint", simulator.BaseUrl.ToString(), "--dialect", "tgi", "--model", SimulatorProfile.Default.Model, "--plan", "light");

        Assert.Equal(ExitCodes.NeverReady, result.ExitCode);
        Assert.Contains("looks like ollama", result.Output);
        Assert.Empty(simulator.Log.Since(0));
    }

    private static async Task<(CliResult Result, JsonElement Report)> RunAsync(params string[] args)
    {
        var path = Path.Combine(Path.GetTempPath(), $"report-{Guid.NewGuid():n}.json");
        try
        {
            var result = await CliRunner.RunAsync(
                [
                    "run", .. args, "--model", SimulatorProfile.Default.Model, "--plan", "full", "--max-concurrency", "4",
                    "--ready-timeout", "60", "--json", path,
                ]);
            Assert.True(File.Exists(path), $"exit {result.ExitCode}: {result.Output} {result.Error}");
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(path));
            return (result, json.RootElement.Clone());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
