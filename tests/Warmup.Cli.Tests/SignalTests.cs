using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Warmup.Simulator;

namespace Warmup.Cli.Tests;

/// <summary>
/// `warmup run` as a real process (dotnet warmup.dll, the built Warmup.Cli) stopped by a real signal (`kill`) while its run waits for an
/// endpoint that answers its readiness probe with 503: the run is cancelled, the partial report is written with the
/// outcome cancelled, and the exit code is 128 + the signal number; and a signal after the first level has been measured
/// keeps that level's steps in the report (the embedded engine does not stop with the signal: only the CLI hears it).
/// </summary>
public sealed class SignalTests
{
    [SkippableTheory]
    [InlineData("INT", ExitCodes.Interrupted, "stopped by Ctrl-C (SIGINT)")]
    [InlineData("TERM", ExitCodes.Terminated, "stopped by SIGTERM")]
    public async Task A_signal_during_a_run_writes_the_partial_report_and_exits_with_the_signal_code(string signal, int exitCode, string reason)
    {
        SkipWhereIgnored(signal);
        await using var endpoint = await LoadingServer.StartAsync();
        var report = Path.Combine(Path.GetTempPath(), $"report-{Guid.NewGuid():n}.json");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { CliDll(), "run", "--endpoint", endpoint.BaseUrl.ToString(), "--model", "m", "--plan", "light", "--json", report, "--ready-timeout", "120" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            // The first readiness probe means the run is in its readiness wait.
            await endpoint.FirstRequest.WaitAsync(TimeSpan.FromMinutes(2));
            using (var kill = Process.Start("kill", $"-{signal} {process.Id}")!)
            {
                await kill.WaitForExitAsync();
                Assert.Equal(0, kill.ExitCode);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);

            Assert.True(exitCode == process.ExitCode, $"exit {process.ExitCode}; stderr: {await error}; stdout: {await output}");
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
            var root = json.RootElement;
            Assert.Equal("cancelled", root.GetProperty("outcome").GetString());
            Assert.StartsWith($"cancelled: {reason}", root.GetProperty("error").GetString());
            Assert.False(root.GetProperty("readiness").GetProperty("ready").GetBoolean());
            Assert.Matches("^warmup-endpoint-[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$", root.GetProperty("runId").GetString());
            // Recorded by the run itself (its Record step fills in the dialect), not made up by the CLI once the engine stopped.
            Assert.Equal("openai", root.GetProperty("dialect").GetString());
            Assert.Contains("CANCELLED", await output);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            File.Delete(report);
        }
    }

    [SkippableTheory]
    [InlineData("INT", ExitCodes.Interrupted)]
    [InlineData("TERM", ExitCodes.Terminated)]
    public async Task A_signal_after_a_measured_level_keeps_its_steps_in_the_report(string signal, int exitCode)
    {
        SkipWhereIgnored(signal);
        await using var simulator = await SimulatorHost.StartAsync(
            new SimulatorOptions { Profile = SimulatorProfile.Default with { TimeScale = 0.25 }, Port = 0 }, CancellationToken.None);
        var report = Path.Combine(Path.GetTempPath(), $"report-{Guid.NewGuid():n}.json");
        var start = new ProcessStartInfo(WarmupBinary.Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "run", "--endpoint", simulator.BaseUrl.ToString(), "--model", SimulatorProfile.Default.Model, "--plan", "full", "--json", report, "--ready-timeout", "120" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var secondLevel = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, line) =>
        {
            lock (output)
            {
                output.AppendLine(line.Data);
            }

            // The full plan's first level is its prompt ladder at concurrency 1 (steps 1-9 of 16); the progress line of
            // step 10 appears once every step of that level has been measured and added to the report.
            if (line.Data?.StartsWith("warmup: step 10 of 16", StringComparison.Ordinal) == true)
            {
                secondLevel.TrySetResult();
            }
        };
        process.BeginOutputReadLine();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await secondLevel.Task.WaitAsync(TimeSpan.FromMinutes(2));
            using (var kill = Process.Start("kill", $"-{signal} {process.Id}")!)
            {
                await kill.WaitForExitAsync();
                Assert.Equal(0, kill.ExitCode);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);

            Assert.True(exitCode == process.ExitCode, $"exit {process.ExitCode}; stderr: {await error}; stdout: {output}");
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
            var root = json.RootElement;
            Assert.Equal("cancelled", root.GetProperty("outcome").GetString());
            Assert.True(root.GetProperty("readiness").GetProperty("ready").GetBoolean());
            var steps = root.GetProperty("steps").EnumerateArray().ToList();
            // The nine measured steps are there, each with its request and first-token time; the level in flight when
            // the signal came (32 long prompts) is not.
            Assert.True(steps.Count is >= 9 and < 16, $"{steps.Count} steps: {output}");
            Assert.All(steps.Take(9), step =>
            {
                Assert.Equal("warmup", step.GetProperty("phase").GetString());
                Assert.Equal(1, step.GetProperty("step").GetProperty("concurrency").GetInt32());
                Assert.Equal(1, step.GetProperty("succeeded").GetInt32());
                Assert.True(step.GetProperty("ttftMs").GetProperty("p50").GetDouble() > 0);
            });
            Assert.Equal(9, steps.Take(9).Select(s => s.GetProperty("step").GetProperty("promptTokens").GetInt32()).Distinct().Count());
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            File.Delete(report);
        }
    }

    [Fact]
    public async Task Cancelling_a_run_in_process_records_the_partial_report()
    {
        await using var endpoint = await LoadingServer.StartAsync();
        var report = Path.Combine(Path.GetTempPath(), $"report-{Guid.NewGuid():n}.json");
        using var cancel = new CancellationTokenSource();
        _ = endpoint.FirstRequest.ContinueWith(_ => cancel.Cancel(), TaskScheduler.Default);
        try
        {
            var result = await CliRunner.RunAsync(cancel.Token,
                "run", "--endpoint", endpoint.BaseUrl.ToString(), "--model", "m", "--plan", "light", "--json", report, "--ready-timeout", "120");

            Assert.True(result.ExitCode == ExitCodes.Interrupted, $"exit {result.ExitCode}: {result.Error}");
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
            Assert.Equal("cancelled", json.RootElement.GetProperty("outcome").GetString());
            Assert.Equal("cancelled: cancelled", json.RootElement.GetProperty("error").GetString());
            // Recorded by the run itself (its Record step fills in the dialect), not made up by the CLI afterwards.
            Assert.Equal("openai", json.RootElement.GetProperty("dialect").GetString());
        }
        finally
        {
            File.Delete(report);
        }
    }

    /// <summary>The CLI's own build output (the test project references it, so it is built first).</summary>
    private static string CliDll()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "warmup.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing");
        return dll;
    }

    /// <summary>
    /// A test run started in the background by a shell without job control (`cmd &amp;` in a script, `nohup`) ignores SIGINT,
    /// and every process it starts inherits that: the CLI under test then never hears Ctrl-C, as POSIX intends. Such a
    /// run cannot test it, so it says so instead of failing.
    /// </summary>
    private static void SkipWhereIgnored(string signal)
    {
        const int sigint = 2;
        var ignored = File.Exists("/proc/self/status")
            && File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal)) is { } line
            && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (sigint - 1))) != 0;
        Skip.If(signal == "INT" && ignored, "SIGINT is ignored in this test run (started in the background without job control), and the CLI under test inherits that");
    }
}
