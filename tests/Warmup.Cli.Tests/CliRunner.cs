using Spectre.Console;
using Warmup.Cli;

namespace Warmup.Cli.Tests;

/// <summary>Runs the real `warmup` command line in-process and captures what a user would see.</summary>
internal static class CliRunner
{
    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(CancellationToken.None, args);

    /// <summary>Runs with <paramref name="cancellation"/> standing in for Ctrl-C.</summary>
    public static async Task<CliResult> RunAsync(CancellationToken cancellation, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 200;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        var exitCode = await WarmupCli.RunAsync(args, console, error, timeout.Token);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }
}

internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
