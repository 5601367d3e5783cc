using System.Text.Json;
using System.Text.RegularExpressions;
using Warmup.Simulator;

namespace Warmup.Cli.Tests;

/// <summary>
/// What `warmup run` prints where it is used: a terminal, a CI log or pipe, --output json/markdown, CI job summaries.
/// The real executable against the simulator on loopback.
/// </summary>
public sealed class CliOutputTests : IAsyncLifetime
{
    private SimulatorHost _simulator = null!;

    private string Endpoint => _simulator.BaseUrl.ToString();

    private static string Model => SimulatorProfile.Default.Model;

    public async Task InitializeAsync() =>
        // Every third request fails (below the run's abort share, 0.5): the err column gets long text, which used to wrap
        // into 3-character strips.
        _simulator = await SimulatorHost.StartAsync(
            new SimulatorOptions { Profile = SimulatorProfile.Default with { TimeScale = 0.05 }, Port = 0, Faults = FaultPlan.Parse("503@every=3") },
            CancellationToken.None);

    public async Task DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task Through_a_pipe_lines_never_wrap_and_carry_no_escape_codes()
    {
        var result = await WarmupBinary.RunPipedAsync(null, "run", "--endpoint", Endpoint, "--model", Model, "--plan", "seed", "--ready-timeout", "30");

        Assert.True(result.ExitCode is ExitCodes.NotWarm, WarmupBinary.Describe(result));
        Assert.False(result.Output.Contains('\u001b', StringComparison.Ordinal), WarmupBinary.Describe(result));
        var lines = result.Output.Split('\n');
        Assert.Contains($"Warm-up of {Model} at {Endpoint.TrimEnd('/')} (seed plan)", result.Output);
        var header = Assert.Single(lines, l => l.Contains("TTFT p50", StringComparison.Ordinal));
        Assert.Contains("err", header);
        // Every table row is whole: same width as the header, wider than the 80 columns Spectre assumes for a pipe.
        var rows = lines.Where(l => l.StartsWith('│')).ToList();
        Assert.True(header.Length > 80, header);
        Assert.All(rows, r => Assert.Equal(header.Length, r.Length));
        Assert.Contains(rows, r => r.Contains("HttpError:503×", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("NOT WARM", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  - ", StringComparison.Ordinal) && l.Contains("verification probes failed", StringComparison.Ordinal));
        // The duration is printed in ms, or in s from 10 s on (a loaded machine can take that long).
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^Spent: \d+ requests .* [0-9.]+(ms|s)$"));
    }

    [Fact]
    public async Task In_a_terminal_the_summary_is_coloured_unless_NO_COLOR_is_set()
    {
        string[] args = ["run", "--endpoint", Endpoint, "--model", Model, "--plan", "seed", "--ready-timeout", "30"];

        var coloured = await WarmupBinary.RunInTerminalAsync(null, args);
        var plain = await WarmupBinary.RunInTerminalAsync(new Dictionary<string, string> { ["NO_COLOR"] = "1" }, args);

        Assert.Contains("╭", coloured.Output);
        Assert.True(WarmupBinary.HasColour(coloured.Output), WarmupBinary.Describe(coloured));
        Assert.Contains("NOT WARM", plain.Output);
        Assert.Contains("╭", plain.Output);
        Assert.False(WarmupBinary.HasColour(plain.Output), WarmupBinary.Describe(plain));
    }

    [Fact]
    public async Task Output_json_puts_the_report_alone_on_stdout_and_progress_on_stderr()
    {
        var result = await WarmupBinary.RunPipedAsync(
            null, "run", "--endpoint", Endpoint, "--model", Model, "--plan", "seed", "--ready-timeout", "30", "--output", "json");

        Assert.Equal(ExitCodes.NotWarm, result.ExitCode);
        using var report = JsonDocument.Parse(result.Output);
        Assert.Equal("not-warm", report.RootElement.GetProperty("outcome").GetString());
        Assert.Equal("seed", report.RootElement.GetProperty("plan").GetString());
        Assert.Contains("waiting for GET /health", result.Error);
        Assert.Contains("warmup: steps", result.Error);
    }

    [Fact]
    public async Task Output_markdown_prints_the_title_verdict_and_table()
    {
        var result = await WarmupBinary.RunPipedAsync(
            null, "run", "--endpoint", Endpoint, "--model", Model, "--plan", "seed", "--ready-timeout", "30", "--output", "markdown");

        Assert.Equal(ExitCodes.NotWarm, result.ExitCode);
        var lines = result.Output.Split('\n');
        Assert.Equal($"### Warm-up of {Model} at {Endpoint.TrimEnd('/')} (seed plan)", lines[0]);
        Assert.StartsWith("**NOT WARM ", lines[2]);
        Assert.Contains("| phase | prompt | out | conc | TTFT p50 | TTFT p99 | ITL p50 | E2E p50 | err |", lines);
        Assert.DoesNotContain("waiting for", result.Output);
    }

    [Fact]
    public async Task Under_GitHub_Actions_the_markdown_summary_is_appended_to_the_step_summary()
    {
        var summary = Path.Combine(Path.GetTempPath(), $"step-summary-{Guid.NewGuid():n}.md");
        await File.WriteAllTextAsync(summary, "earlier step\n");
        try
        {
            var result = await WarmupBinary.RunPipedAsync(
                new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true", ["GITHUB_STEP_SUMMARY"] = summary },
                "run", "--endpoint", Endpoint, "--model", Model, "--plan", "seed", "--ready-timeout", "30");

            Assert.Equal(ExitCodes.NotWarm, result.ExitCode);
            var written = await File.ReadAllTextAsync(summary);
            Assert.StartsWith("earlier step\n### Warm-up of ", written);
            Assert.Contains("| phase |", written);
            Assert.Contains("Summary: GitHub step summary", result.Output);
        }
        finally
        {
            File.Delete(summary);
        }
    }

    [Fact]
    public async Task Under_Azure_Pipelines_a_markdown_file_is_uploaded_with_a_logging_command()
    {
        var temp = Directory.CreateTempSubdirectory("agent-temp-");
        try
        {
            var result = await WarmupBinary.RunPipedAsync(
                new Dictionary<string, string> { ["TF_BUILD"] = "True", ["AGENT_TEMPDIRECTORY"] = temp.FullName },
                "run", "--endpoint", Endpoint, "--model", Model, "--plan", "seed", "--ready-timeout", "30");

            Assert.Equal(ExitCodes.NotWarm, result.ExitCode);
            var command = Assert.Single(result.Output.Split('\n'), l => l.StartsWith("##vso[", StringComparison.Ordinal));
            var path = command["##vso[task.uploadsummary]".Length..];
            Assert.StartsWith(temp.FullName, path);
            Assert.StartsWith("### Warm-up of ", await File.ReadAllTextAsync(path));
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }
}

/// <summary>Mistakes a newcomer makes in the first minutes: a base URL ending in /v1, a wrong model name.</summary>
public sealed class NewcomerMistakeTests
{
    [Fact]
    public async Task A_v1_base_url_is_accepted_and_a_wrong_model_is_exit_2_with_the_servers_list_before_any_traffic()
    {
        await using var simulator = await SimulatorHost.StartAsync(
            new SimulatorOptions { Profile = SimulatorProfile.Default with { TimeScale = 0.05 }, Port = 0 }, CancellationToken.None);
        var withV1 = new Uri(simulator.BaseUrl, "v1").ToString();

        var result = await WarmupBinary.RunPipedAsync(null, "run", "--endpoint", withV1, "--model", "wrong-model", "--plan", "light", "--ready-timeout", "30");

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains($"--endpoint ends in /v1; using the server root {simulator.BaseUrl}", result.Output);
        Assert.Contains("MISCONFIGURED", result.Output);
        Assert.Contains($"'wrong-model' is not served by {simulator.BaseUrl.ToString().TrimEnd('/')}: /v1/models lists '{SimulatorProfile.Default.Model}'", result.Output);
        Assert.Contains("no warm-up traffic was sent", result.Output);
        Assert.Equal(0, simulator.Log.Count);
    }

    [Fact]
    public async Task While_waiting_the_screen_says_what_it_polls_until_when_and_the_last_answer()
    {
        await using var server = await LoadingServer.StartAsync();

        var result = await WarmupBinary.RunPipedAsync(null, "run", "--endpoint", server.BaseUrl.ToString(), "--model", "m", "--ready-timeout", "3");

        Assert.Equal(ExitCodes.NeverReady, result.ExitCode);
        Assert.Matches(@"waiting for GET /health to answer ready \(until \d\d:\d\d:\d\d UTC\); last answer: none yet\n", result.Output);
        Assert.Matches(@"waiting for GET /health to answer ready \(until \d\d:\d\d:\d\d UTC\); last answer: HTTP 503 Loading model\n", result.Output);
        Assert.Contains("  - last readiness answer: HTTP 503 Loading model", result.Output);
    }
}
