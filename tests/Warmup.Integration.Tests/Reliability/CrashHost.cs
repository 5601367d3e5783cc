using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Warmup.Core.Orchestration;

namespace Warmup.Integration.Tests.Reliability;

/// <summary>
/// The crash test's worker: tests/Warmup.CrashHost (warmup-crash-host, built beside the tests) as a real separate
/// process, running the warm-up orchestrations on DurableTask.AzureStorage. <see cref="Prepare"/> makes one task hub,
/// target file and report path; <see cref="Start"/> and <see cref="Resume"/> each start a worker process on them.
/// </summary>
internal sealed class CrashHost : IAsyncDisposable
{
    private readonly string _folder;
    private readonly string _connectionString;
    private readonly string _targets;
    private readonly string _target;

    private CrashHost(string folder, string connectionString, string target)
    {
        _folder = folder;
        _connectionString = connectionString;
        _target = target;
        _targets = Path.Combine(folder, "targets.json");
        TaskHub = "crash" + Guid.NewGuid().ToString("N")[..12];
    }

    public string TaskHub { get; }

    public string ReportPath => Path.Combine(_folder, "report.json");

    public static CrashHost Prepare(string connectionString, string target, Uri baseUrl)
    {
        var host = new CrashHost(Directory.CreateTempSubdirectory("warmup-crash-").FullName, connectionString, target);
        File.WriteAllText(host._targets, JsonSerializer.Serialize(new
        {
            targets = new[]
            {
                new { name = target, baseUrl = baseUrl.ToString(), dialect = "openai", model = "tiny", limits = new { readyDeadline = "00:00:20", requestTimeout = "00:00:10" } },
            },
        }));
        return host;
    }

    /// <summary>A worker that schedules the target's warm-up with <paramref name="request"/>.</summary>
    public Worker Start(WarmupRequest request)
    {
        var file = Path.Combine(_folder, "request.json");
        File.WriteAllText(file, JsonSerializer.Serialize(request, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
        return Launch("--start", file);
    }

    /// <summary>A worker that schedules nothing: it works what the task hub holds for the target.</summary>
    public Worker Resume() => Launch("--resume", _target);

    private Worker Launch(string mode, string value)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "warmup-crash-host.exe" : "warmup-crash-host"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--storage", _connectionString, "--hub", TaskHub, "--targets", _targets, "--report", ReportPath, mode, value })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        return new Worker(Process.Start(start)!, ReportPath);
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Left to the OS's temp clean-up.
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>One worker process; its output is kept for the test's failure messages.</summary>
    internal sealed class Worker : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly string _report;

        public Worker(Process process, string report)
        {
            _process = process;
            _report = report;
            _process.OutputDataReceived += (_, e) => Append(e.Data);
            _process.ErrorDataReceived += (_, e) => Append(e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return File.Exists(_report) ? $"{_output}--- report:\n{File.ReadAllText(_report)}" : _output.ToString();
                }
            }
        }

        /// <summary>Waits for <paramref name="condition"/>; fails at once if the worker exits first.</summary>
        public async Task WaitUntilAsync(Task condition, TimeSpan timeout, Func<string> what)
        {
            var exited = _process.WaitForExitAsync();
            var first = await Task.WhenAny(condition, exited, Task.Delay(timeout));
            if (first == exited)
            {
                throw new InvalidOperationException($"the worker exited ({_process.ExitCode}) before {what()}:\n{Output}");
            }

            if (first != condition)
            {
                throw new TimeoutException($"no {what()} within {timeout}:\n{Output}");
            }

            await condition;
        }

        /// <summary>SIGKILL: the process ends at once, with no shutdown code of its own.</summary>
        public void Kill()
        {
            Assert.False(_process.HasExited, $"the worker had already exited:\n{Output}");
            _process.Kill(entireProcessTree: false);
            _process.WaitForExit();
        }

        public async Task<int> WaitForExitAsync(TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cancel.Token);
                return _process.ExitCode;
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
                throw new TimeoutException($"the worker did not finish within {timeout}:\n{Output}");
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            _process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is not null)
            {
                lock (_output)
                {
                    _output.AppendLine(line);
                }
            }
        }
    }
}
