using System.Diagnostics;
using Warmup.Simulator;

namespace Warmup.Cli.Tests;

/// <summary>`warmup simulate` as scripts, containers and CI use it: SIGTERM stops it, and it says when it will be ready.</summary>
public sealed class SimulateCommandTests
{
    [Fact]
    public async Task During_the_modelled_start_up_it_says_starting_and_SIGTERM_stops_it_at_once()
    {
        var start = new ProcessStartInfo(WarmupBinary.Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "simulate", "--port", "0", "--time-scale", "1" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        try
        {
            var first = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var startupSeconds = SimulatorProfile.Default.StartupDelayMs / 1000;

            Assert.NotNull(first);
            Assert.StartsWith("Simulator (vllm) starting on http://127.0.0.1:", first);
            Assert.Contains($"ready in {startupSeconds} s", first);
            Assert.DoesNotContain("listening", first);

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            // Well inside the modelled start-up, which is still running: only the signal can end the process this soon.
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(startupSeconds / 2));
            Assert.Equal(ExitCodes.Warm, process.ExitCode);
            Assert.Contains("Simulator stopped.", await process.StandardOutput.ReadToEndAsync());
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    [Fact]
    public async Task As_Azure_ML_the_deployments_and_their_request_settings_come_from_the_command_line()
    {
        // green runs 2 per instance and admits twice that, running and queued: of 5 requests sent at once, exactly 1 is
        // refused (Azure ML's default of 1 per instance would refuse 3).
        var start = new ProcessStartInfo(WarmupBinary.Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "simulate", "--port", "0", "--time-scale", "0.1", "--dialect", "azureml", "--deployments", "green,blue", "--max-concurrent-requests-per-instance", "2" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        try
        {
            var lines = new List<string>();
            while (await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) is { } line)
            {
                lines.Add(line);
                if (line.Contains("ready on", StringComparison.Ordinal))
                {
                    break;
                }
            }

            // Azure ML listens while it loads and answers 503 until then: "ready" comes only after the load.
            Assert.StartsWith("Simulator (azureml) listening on http://127.0.0.1:", lines[0]);
            Assert.Contains("while it loads", lines[0], StringComparison.Ordinal);
            Assert.Contains(
                "Deployments green, blue (the first takes the traffic; pick one with the azureml-model-deployment header), each request_timeout_ms 5000, max_concurrent_requests_per_instance 2, instance_count 1.",
                lines);
            var ready = lines[^1];
            var url = new Uri(ready[ready.IndexOf("http://", StringComparison.Ordinal)..].Split(' ')[0]);
            using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
            const string body = """{"model":"meta-llama/Llama-3.1-8B-Instruct","prompt":"hello","max_tokens":64,"min_tokens":64,"ignore_eos":true}""";
            var statuses = await Task.WhenAll(Enumerable.Range(0, 5).Select(async _ =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
                {
                    Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
                };
                request.Headers.Add("azureml-model-deployment", "green");
                using var response = await http.SendAsync(request);
                return (int)response.StatusCode;
            }));

            Assert.True(statuses.Count(s => s == 429) == 1, $"statuses {string.Join(",", statuses)}");
            Assert.Equal(4, statuses.Count(s => s == 200));
        }
        finally
        {
            process.Kill();
        }
    }

    [Fact]
    public async Task An_unknown_profile_is_one_usage_line_without_an_exception_name()
    {
        var result = await WarmupBinary.RunPipedAsync(null, "simulate", "--port", "0", "--profile", "no-such-profile");

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Equal($"error: --profile 'no-such-profile': unknown built-in simulator profile 'no-such-profile'; known: {string.Join(", ", SimulatorProfile.BuiltinNames)}", line);
        Assert.DoesNotContain("Exception", result.Error);
    }

    [Theory]
    [InlineData("simulate")]
    [InlineData("demo")]
    public async Task Help_lists_every_built_in_profile(string command)
    {
        var result = await WarmupBinary.RunPipedAsync(null, command, "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.All(SimulatorProfile.BuiltinNames, name => Assert.Contains(name, result.Output, StringComparison.Ordinal));
    }
}
