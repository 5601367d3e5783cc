namespace Warmup.Cli.Tests;

/// <summary>Bad input gets one clear error line and exit code 2, never a stack trace.</summary>
public sealed class BadInputTests
{
    [Fact]
    public async Task Unknown_dialect_is_one_line_naming_the_known_dialects()
    {
        var result = await CliRunner.RunAsync("run", "--endpoint", "http://127.0.0.1:8000", "--model", "m", "--dialect", "grpc-magic");

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains("grpc-magic", line);
        Assert.Contains("openai", line);
        Assert.Contains("vllm-generate", line);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://127.0.0.1/models")]
    [InlineData("/v1/completions")]
    public async Task Malformed_url_is_rejected_before_any_traffic(string endpoint)
    {
        var result = await CliRunner.RunAsync("run", "--endpoint", endpoint, "--model", "m");

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains("not an absolute http(s) URL", line);
    }

    [Fact]
    public async Task Plan_file_with_negative_concurrency_names_the_step()
    {
        var plan = Path.Combine(Path.GetTempPath(), $"plan-{Guid.NewGuid():n}.json");
        await File.WriteAllTextAsync(plan, """
            { "name": "broken", "steps": [
              { "promptTokens": 128, "maxOutputTokens": 16, "concurrency": 1 },
              { "promptTokens": 256, "maxOutputTokens": 16, "concurrency": -4 } ] }
            """);
        try
        {
            var result = await CliRunner.RunAsync("run", "--endpoint", "http://127.0.0.1:8000", "--model", "m", "--plan", plan);

            Assert.Equal(ExitCodes.BadInput, result.ExitCode);
            var line = Assert.Single(result.ErrorLines);
            Assert.Contains("concurrency", line);
            Assert.Contains("-4", line);
        }
        finally
        {
            File.Delete(plan);
        }
    }

    [Fact]
    public async Task Unresolvable_host_fails_fast_instead_of_waiting_for_readiness()
    {
        var result = await CliRunner.RunAsync("run", "--endpoint", "http://no-such-host.invalid:8000", "--model", "m");

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains("cannot resolve host 'no-such-host.invalid'", line);
    }

    [Fact]
    public async Task Report_path_that_cannot_be_written_is_refused_before_any_traffic()
    {
        var file = Path.GetTempFileName();
        try
        {
            // A regular file used as a folder: the report could never be written there.
            var result = await CliRunner.RunAsync("run", "--endpoint", "http://127.0.0.1:9", "--model", "m", "--json", Path.Combine(file, "report.json"));

            Assert.Equal(ExitCodes.BadInput, result.ExitCode);
            Assert.Contains("--json", Assert.Single(result.ErrorLines));
            Assert.DoesNotContain("Readiness", result.Output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("--max-concurrency", "257")]
    [InlineData("--ready-timeout", "7200")]
    [InlineData("--request-timeout", "3600")]
    public async Task Limits_beyond_what_a_targets_file_allows_are_refused(string option, string value)
    {
        var result = await CliRunner.RunAsync("run", "--endpoint", "http://127.0.0.1:9", "--model", "m", option, value);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains(option, Assert.Single(result.ErrorLines));
    }

    [Fact]
    public async Task Unknown_option_is_a_usage_error()
    {
        var result = await CliRunner.RunAsync("run", "--frobnicate");

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Single(result.ErrorLines);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Fact]
    public async Task Missing_endpoint_says_what_to_pass()
    {
        var result = await CliRunner.RunAsync("run", "--model", "m");

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("--endpoint", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public async Task Api_key_variable_that_is_not_set_is_reported_by_name()
    {
        var result = await CliRunner.RunAsync("run", "--endpoint", "http://127.0.0.1:8000", "--model", "m", "--api-key-env", "WARMUP_TEST_UNSET_KEY_VARIABLE");

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("WARMUP_TEST_UNSET_KEY_VARIABLE", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public async Task Plan_step_longer_than_the_servers_context_window_is_exit_2_with_the_step_named()
    {
        await using var simulator = await Warmup.Simulator.SimulatorHost.StartAsync(
            new Warmup.Simulator.SimulatorOptions { Profile = Warmup.Simulator.SimulatorProfile.Default with { TimeScale = 0.05 }, Port = 0 },
            CancellationToken.None);
        var plan = Path.Combine(Path.GetTempPath(), $"plan-{Guid.NewGuid():n}.json");
        // Valid on its own; only the server's context window (8192 in the default profile) makes it too long.
        await File.WriteAllTextAsync(plan, """{ "name": "too-long", "steps": [ { "promptTokens": 9000, "maxOutputTokens": 16, "concurrency": 1 } ] }""");
        try
        {
            var result = await CliRunner.RunAsync(
                "run", "--endpoint", simulator.BaseUrl.ToString(), "--model", Warmup.Simulator.SimulatorProfile.Default.Model, "--plan", plan, "--ready-timeout", "30");

            Assert.Equal(ExitCodes.BadInput, result.ExitCode);
            Assert.Contains("step 1: promptTokens + maxOutputTokens = 9016 exceeds the model's context window of 8192 tokens", result.Output);
            Assert.Equal(0, simulator.Log.Count);
        }
        finally
        {
            File.Delete(plan);
        }
    }

    [Fact]
    public async Task Bad_fault_spec_for_the_simulator_is_a_usage_error()
    {
        var result = await CliRunner.RunAsync("simulate", "--port", "0", "--faults", "teleport:3");

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("--faults", Assert.Single(result.ErrorLines));
    }

    [Theory]
    [InlineData("--deployments green", "error: --deployments is an Azure ML setting: use it with --dialect azureml")]
    [InlineData("--dialect azureml --max-concurrent-requests-per-instance 0", "error: --max-concurrent-requests-per-instance must be a positive whole number, got 0")]
    [InlineData("--dialect azureml --request-timeout-ms -5", "error: --request-timeout-ms must be a positive whole number, got -5")]
    [InlineData("--dialect azureml --deployments blue,,green", "error: --deployments 'blue,,green' must be distinct, non-empty names separated by commas, e.g. blue,green")]
    [InlineData("--dialect azureml --deployments blue,Blue", "error: --deployments 'blue,Blue' must be distinct, non-empty names separated by commas, e.g. blue,green")]
    public async Task Bad_Azure_ML_settings_for_the_simulator_are_one_usage_line_before_it_starts(string args, string error)
    {
        var result = await CliRunner.RunAsync(["simulate", "--port", "0", .. args.Split(' ')]);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal(error, Assert.Single(result.ErrorLines));
        Assert.DoesNotContain("ready on", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_file_naming_an_adapter_the_target_does_not_serve_is_refused_before_any_traffic()
    {
        var plan = Path.Combine(Path.GetTempPath(), $"plan-{Guid.NewGuid():n}.json");
        await File.WriteAllTextAsync(plan, """
            { "name": "adapters", "steps": [ { "promptTokens": 128, "maxOutputTokens": 16, "concurrency": 1, "adapter": "sql" } ] }
            """);
        try
        {
            // Port 9 has no listener: had the run started, readiness would fail rather than this usage error.
            var result = await CliRunner.RunAsync("run", "--endpoint", "http://127.0.0.1:9", "--model", "m", "--plan", plan);

            Assert.Equal(ExitCodes.BadInput, result.ExitCode);
            var line = Assert.Single(result.ErrorLines);
            Assert.Contains("step 1: adapter 'sql' is not served by target", line);
        }
        finally
        {
            File.Delete(plan);
        }
    }

    [Theory]
    [InlineData("1.0")]
    [InlineData("11")]
    public async Task Threshold_outside_the_one_range_is_refused(string threshold)
    {
        var result = await CliRunner.RunAsync("run", "--endpoint", "http://127.0.0.1:9", "--model", "m", "--threshold", threshold);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("--threshold must be a number above 1.0 and at most 10", Assert.Single(result.ErrorLines));
    }
}
