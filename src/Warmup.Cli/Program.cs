using Spectre.Console;
using Warmup.Cli;

// Ctrl-C and SIGTERM cancel the command (a run ends through its cancel path and writes its partial report).
using var stop = StopSignal.Listen();

return await WarmupCli.RunAsync(args, AnsiConsole.Console, Console.Error, stop.Token, stop);
