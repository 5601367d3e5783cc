using System.Text.Json;
using Warmup.Simulator;

namespace Warmup.Cli.Tests;

/// <summary>
/// `warmup run --dialect X` (the real executable) against the simulator speaking X, end to end: readiness, the default
/// adaptive plan and its verification over the family's native route, not one failed request, and a WARM verdict that
/// the simulator's own penalty record confirms: the plan paid the cold paths, the final verification met none. The
/// simulator shares this machine's cores with the test host, so on a loaded CI machine a scheduling delay can make one
/// first-user-like request look cold; the loop then verifies again with fresh lengths, as it would for a real server.
/// </summary>
[Collection(DialectRunCollection.Name)]
public sealed class DialectRunTests
{
    /// <summary>
    /// A small model (4096 context, 6 prefill buckets, 3 graph sizes) so the full plan stays short, on a time scale
    /// where timing noise cannot decide the verdict: a steady first token takes 150 ms or more (a client stall on a
    /// loaded machine must exceed 30 ms to reach the 1.2x threshold), while every real cold path adds 75 ms (a KV
    /// chunk) to 300 ms and more (a compile). Decoding is fast so the run stays short. No modelled jitter.
    /// </summary>
    private static SimulatorProfile Small => SimulatorProfile.Default with
    {
        TimeScale = 0.5,
        StartupDelayMs = 2000,
        JitterFraction = 0,
        MaxModelLen = 4096,
        MaxNumBatchedTokens = 4096,
        PrefillBuckets = [128, 256, 512, 1024, 2048, 4096],
        CudaGraphCaptureSizes = [1, 2, 4],
        PrefillStepBaseMs = 300,
        DecodeStepMs = 5,
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

        var (result, report) = await RunAsync(null, "--endpoint", simulator.BaseUrl.ToString(), "--dialect", dialect);

        AssertWarm(result, report, simulator);
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
        var (result, report) = await RunAsync(
            new Dictionary<string, string> { ["WARMUP_TEST_AML_KEY"] = "aml-key" },
            "--endpoint", simulator.BaseUrl.ToString(), "--dialect", "azureml", "--api", "chat", "--deployment", "green",
            "--api-key-env", "WARMUP_TEST_AML_KEY");

        AssertWarm(result, report, simulator);
        Assert.Equal("endpoint@green", report.GetProperty("target").GetString());
        Assert.Equal("green", report.GetProperty("deployment").GetString());
        Assert.Contains(report.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("Azure ML's default max_concurrent_requests_per_instance", StringComparison.Ordinal));
        Assert.All(report.GetProperty("steps").EnumerateArray(), step => Assert.Equal(1, step.GetProperty("step").GetProperty("concurrency").GetInt32()));
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

    /// <summary>
    /// WARM, every request answered, and the server's own record agrees: the plan's requests paid real cold paths (at
    /// least one compile), and not one verification request paid a cold penalty before its first token.
    /// </summary>
    private static void AssertWarm(CliResult result, JsonElement report, SimulatorHost simulator)
    {
        var described = WarmupBinary.Describe(result);
        Assert.True(report.GetProperty("readiness").GetProperty("ready").GetBoolean(), described);
        Assert.True(report.GetProperty("outcome").GetString() == "warm", described);
        Assert.Equal(ExitCodes.Warm, result.ExitCode);
        var totals = report.GetProperty("totals");
        Assert.Equal(0, totals.GetProperty("failed").GetInt32());

        // Verification runs after the plan has finished, so its requests are the log's last ones.
        var verifyCount = report.GetProperty("firstUserLike").GetProperty("requests").GetInt32()
            + report.GetProperty("steady").GetProperty("requests").GetInt32();
        var log = simulator.Log.Snapshot().OrderBy(r => r.Sequence).ToList();
        Assert.True(log.Count > verifyCount, described);
        var plan = log.Take(log.Count - verifyCount).ToList();
        var verification = log.Skip(log.Count - verifyCount).ToList();
        Assert.Contains(plan.SelectMany(r => r.Penalties), p => p.Name.StartsWith("jit:", StringComparison.Ordinal));
        Assert.All(verification, r => Assert.Equal(0, r.ColdPenaltyMs));
    }

    private static async Task<(CliResult Result, JsonElement Report)> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var path = Path.Combine(Path.GetTempPath(), $"report-{Guid.NewGuid():n}.json");
        try
        {
            var result = await WarmupBinary.RunPipedAsync(
                environment,
                [
                    // --no-cache: each case learns from scratch and leaves no shape map in the user's cache folder.
                    "run", .. args, "--model", SimulatorProfile.Default.Model, "--max-concurrency", "4", "--no-cache",
                    "--ready-timeout", "60", "--json", path,
                ]);
            Assert.True(File.Exists(path), WarmupBinary.Describe(result));
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(path));
            return (result, json.RootElement.Clone());
        }
        finally
        {
            File.Delete(path);
        }
    }
}

/// <summary>
/// The dialect runs assert a WARM verdict measured in milliseconds on the client: they run alone, not beside the other
/// test classes of this assembly, whose own warm-ups and simulators would otherwise share the machine's cores with them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DialectRunCollection
{
    public const string Name = "dialect runs";
}
