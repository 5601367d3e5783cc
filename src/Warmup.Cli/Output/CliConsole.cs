using Spectre.Console;

namespace Warmup.Cli.Output;

/// <summary>
/// Builds the consoles the CLI writes to from what stdout/stderr really are. On a terminal Spectre detects width and
/// colours itself. Redirected (a CI log, a pipe, a file) there is no width to detect and Spectre assumes 80 columns,
/// which wraps tables into strips: there lines are never wrapped (a log viewer scrolls sideways, a grep sees whole
/// lines), animations are off and colour is off. NO_COLOR (any value) turns colour off everywhere.
/// </summary>
internal static class CliConsole
{
    /// <summary>Wide enough that no summary line or table of Warmup's ever wraps.</summary>
    internal const int UnwrappedWidth = 1000;

    public static IAnsiConsole ForStdout(Func<string, string?> environment) =>
        Create(Console.Out, Console.IsOutputRedirected, environment);

    internal static IAnsiConsole Create(TextWriter writer, bool redirected, Func<string, string?> environment)
    {
        var noColor = environment("NO_COLOR") is { Length: > 0 };
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = noColor || redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
            Out = new AnsiConsoleOutput(writer),
        });
        if (redirected)
        {
            console.Profile.Width = UnwrappedWidth;
        }

        return console;
    }
}
