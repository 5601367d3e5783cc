using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Warmup.Cli.Tests;

/// <summary>
/// `warmup run` as a real process (dotnet warmup.dll, the built Warmup.Cli) stopped by a real signal (`kill`) while its run waits for an
/// endpoint that answers its readiness probe with 503: the run is cancelled, the partial report is written with the
/// outcome cancelled, and the exit code is 128 + the signal number. (The embedded engine's own host also stops on the
/// signal, so the report is the one the CLI makes when the run cannot record its own: no measurements, see
/// EmbeddedWarmupEngine.IsUnrecorded; the in-process test below covers the run recording its own partial report.)
/// </summary>
public sealed class SignalTests
{
    [Theory]
    [InlineData("INT", ExitCodes.Interrupted, "stopped by Ctrl-C (SIGINT)")]
    [InlineData("TERM", ExitCodes.Terminated, "stopped by SIGTERM")]
    public async Task A_signal_during_a_run_writes_the_partial_report_and_exits_with_the_signal_code(string signal, int exitCode, string reason)
    {
        using var endpoint = NotReadyEndpoint.Start();
        var report = Path.Combine(Path.GetTempPath(), $"report-{Guid.NewGuid():n}.json");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { CliDll(), "run", "--endpoint", endpoint.Url, "--model", "m", "--plan", "light", "--json", report, "--ready-timeout", "120" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            // The first readiness probe means the run is in its readiness wait.
            await endpoint.FirstProbe.WaitAsync(TimeSpan.FromMinutes(2));
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

    [Fact]
    public async Task Cancelling_a_run_in_process_records_the_partial_report()
    {
        using var endpoint = NotReadyEndpoint.Start();
        var report = Path.Combine(Path.GetTempPath(), $"report-{Guid.NewGuid():n}.json");
        using var cancel = new CancellationTokenSource();
        _ = endpoint.FirstProbe.ContinueWith(_ => cancel.Cancel(), TaskScheduler.Default);
        try
        {
            var result = await CliRunner.RunAsync(cancel.Token,
                "run", "--endpoint", endpoint.Url, "--model", "m", "--plan", "light", "--json", report, "--ready-timeout", "120");

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

    /// <summary>A loopback endpoint whose readiness probe always answers 503 (a server still loading its model).</summary>
    private sealed class NotReadyEndpoint : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly TaskCompletionSource _firstProbe = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private NotReadyEndpoint(int port)
        {
            Url = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(Url);
        }

        public string Url { get; }

        public Task FirstProbe => _firstProbe.Task;

        public static NotReadyEndpoint Start()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var endpoint = new NotReadyEndpoint(port);
            endpoint._listener.Start();
            _ = endpoint.ServeAsync();
            return endpoint;
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                context.Response.StatusCode = 503;
                context.Response.Close();
                _firstProbe.TrySetResult();
            }
        }

        public void Dispose() => _listener.Close();
    }
}
