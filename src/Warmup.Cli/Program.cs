using Warmup.Cli;
using Warmup.Cli.Output;

// Ctrl-C and SIGTERM cancel the command (a run ends through its cancel path and writes its partial report).
using var stop = StopSignal.Listen();

return await WarmupCli.RunAsync(args, CliConsole.ForStdout(Environment.GetEnvironmentVariable), Console.Error, stop.Token, stop);
