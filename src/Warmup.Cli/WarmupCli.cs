using System.CommandLine;
using Spectre.Console;
using Warmup.Cli.Commands;

namespace Warmup.Cli;

/// <summary>
/// The `warmup` command line. Every failure the user can cause ends as one clear line on stderr and a documented
/// exit code, never a stack trace.
/// </summary>
public static class WarmupCli
{
    /// <param name="stop">The signal behind <paramref name="cancellationToken"/>, when it is one: it picks the exit code (130, 143).</param>
    public static async Task<int> RunAsync(
        string[] args, IAnsiConsole console, TextWriter error, CancellationToken cancellationToken = default, StopSignal? stop = null)
    {
        var root = new RootCommand("Warmup: removes the cold-start penalty of LLM inference endpoints and proves it with numbers")
        {
            new RunCommand(console, error, stop).Create(),
            new DemoCommand(console).Create(),
            new SimulateCommand(console).Create(),
        };

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            error.WriteLine($"error: {parse.Errors[0].Message} (see warmup --help)");
            return ExitCodes.BadInput;
        }

        try
        {
            // Signals are StopSignal's (Program.cs): System.CommandLine's own handler would end the process 2 s after Ctrl-C,
            // before a cancelled run has written its partial report.
            return await parse.InvokeAsync(
                new InvocationConfiguration { EnableDefaultExceptionHandler = false, Error = error, ProcessTerminationTimeout = null }, cancellationToken);
        }
        catch (UsageException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error.WriteLine(stop?.Received is null ? "cancelled" : $"cancelled: {stop.Reason}");
            return stop?.Received is null ? ExitCodes.Failed : stop.ExitCode;
        }
        catch (Exception e)
        {
            // Anything else is our fault or the environment's: still one line, with the type to make reports useful.
            error.WriteLine($"error: {e.GetType().Name}: {e.Message}");
            return ExitCodes.Failed;
        }
    }
}
