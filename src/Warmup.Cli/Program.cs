using Warmup.Cli;
using Warmup.Cli.Output;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

return await WarmupCli.RunAsync(args, CliConsole.ForStdout(Environment.GetEnvironmentVariable), Console.Error, cancellation.Token);
