using Spectre.Console;
using Warmup.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

return await WarmupCli.RunAsync(args, AnsiConsole.Console, Console.Error, cancellation.Token);
