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
