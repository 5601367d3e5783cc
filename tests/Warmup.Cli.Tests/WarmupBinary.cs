using System.Diagnostics;
using System.Text;

namespace Warmup.Cli.Tests;

/// <summary>
/// Runs the real `warmup` executable (the apphost the build copies beside the tests) the two ways users meet it: through
/// a pipe (a CI log, `| tee`, `> file`) and in a pseudo-terminal made by util-linux `script`, as an interactive shell.
/// </summary>
internal static class WarmupBinary
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    public static string Executable => Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "warmup.exe" : "warmup");

    /// <summary>stdout and stderr are pipes, kept apart.</summary>
    public static Task<CliResult> RunPipedAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return RunAsync(start, environment);
    }

    /// <summary>stdout and stderr are one 120-column terminal; <see cref="CliResult.Output"/> is what it showed.</summary>
    public static Task<CliResult> RunInTerminalAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var command = "stty cols 120; exec " + string.Join(' ', new[] { Executable }.Concat(args).Select(Quote));
        var start = new ProcessStartInfo("script") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in new[] { "-qec", command, "/dev/null" })
        {
            start.ArgumentList.Add(arg);
        }

        return RunAsync(start, environment);
    }

    private static async Task<CliResult> RunAsync(ProcessStartInfo start, IReadOnlyDictionary<string, string>? environment)
    {
        start.Environment.Remove("NO_COLOR");
        start.Environment.Remove("GITHUB_STEP_SUMMARY");
        start.Environment.Remove("TF_BUILD");
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"warmup did not exit within {Timeout}: {await output}");
        }

        return new CliResult(process.ExitCode, (await output).Replace("\r\n", "\n"), (await error).Replace("\r\n", "\n"));
    }

    private static string Quote(string arg) => "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Whether text holds an SGR colour sequence (ESC [ ... 3x/38;... m), bold alone does not count.</summary>
    public static bool HasColour(string text) =>
        System.Text.RegularExpressions.Regex.IsMatch(text, "\u001b\\[[0-9;]*(3[0-9]|9[0-7])(;[0-9]+)*m");

    public static string Describe(CliResult result) =>
        new StringBuilder().Append("exit ").Append(result.ExitCode).Append("\n--- stdout\n").Append(result.Output)
            .Append("\n--- stderr\n").Append(result.Error).ToString();
}
