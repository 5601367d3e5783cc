using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Spectre.Console;
using Warmup.Simulator;

namespace Warmup.Cli.Commands;

/// <summary>`warmup simulate`: runs the cold-start simulator standalone until Ctrl+C or SIGTERM.</summary>
internal sealed class SimulateCommand(IAnsiConsole console)
{
    private readonly Option<string> _profile = new("--profile") { Description = $"Built-in profile ({string.Join(", ", SimulatorProfile.BuiltinNames)}) or a profile JSON file", DefaultValueFactory = _ => "default" };
    private readonly Option<int> _port = new("--port") { Description = "Port on 127.0.0.1 (0 picks a free one)", DefaultValueFactory = _ => 8000 };
    private readonly Option<string?> _faults = new("--faults") { Description = "Fault plan, e.g. 503-burst:3 or reset-midstream@every=5 (see the simulator README)" };
    private readonly Option<double?> _timeScale = new("--time-scale") { Description = "Multiply every modelled duration (0.1 = ten times faster)" };
    private readonly Option<string?> _log = new("--log") { Description = "Write per-chunk send times as JSON lines to this file" };
    private readonly Option<string> _dialect = new("--dialect", "--api")
    {
        Description = "Server to impersonate: vllm (openai) | tgi | sglang | llamacpp | ollama | triton | azureml",
        DefaultValueFactory = _ => ServerFamily.Vllm,
    };
    private readonly Option<string?> _apiKey = new("--api-key") { Description = "Require this key as a Bearer token (azureml: on every route)" };

    public Command Create()
    {
        var command = new Command("simulate", "Run the vLLM-compatible cold-start simulator") { _profile, _port, _faults, _timeScale, _log, _dialect, _apiKey };
        command.SetAction(ExecuteAsync);
        return command;
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var port = parse.GetValue(_port);
        if (port is < 0 or > 65535)
        {
            throw new UsageException($"--port must be between 0 and 65535, got {port}");
        }

        var family = ServerFamily.FromDialect(parse.GetValue(_dialect)!)
            ?? throw new UsageException($"--dialect '{parse.GetValue(_dialect)}' is not a server the simulator speaks; use one of {string.Join(", ", ServerFamily.All)}");
        var options = new SimulatorOptions
        {
            Family = family,
            ApiKey = parse.GetValue(_apiKey),
            Profile = SimulatorProfiles.Resolve(parse.GetValue(_profile)!, parse.GetValue(_timeScale)),
            Port = port,
            Faults = SimulatorProfiles.ParseFaults(parse.GetValue(_faults)),
            LogFile = parse.GetValue(_log),
        };

        // SIGTERM (kill, docker stop, systemd, CI cancellation) stops the simulator like Ctrl+C. Without this the
        // simulator's own web host takes the signal, stops Kestrel, and the process waits forever.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });

        await using var simulator = await SimulatorHost.StartAsync(options, stop.Token);
        var model = Markup.Escape(options.Profile.Model);
        if (simulator.MetricsUrl is { } metrics)
        {
            console.MarkupLine($"Metrics on their own port, as Triton's --metrics-port: [bold]{metrics}[/] (a target's metricsUrl).");
        }

        if (!simulator.Listening.IsCompleted)
        {
            // The modelled start-up: the port is bound but refuses connections, as while a real server loads weights.
            var startup = TimeSpan.FromMilliseconds(options.Profile.StartupDelayMs * options.Profile.TimeScale);
            console.MarkupLine(
                $"Simulator ({family}) starting on [bold]{simulator.BaseUrl}[/] (model [bold]{model}[/]), ready in {startup.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s; " +
                "connections are refused until then. Ctrl+C or SIGTERM stops it.");
            await WaitAsync(simulator.Listening, stop.Token);
        }

        if (!stop.IsCancellationRequested)
        {
            console.MarkupLine($"Simulator ({family}) ready on [bold]{simulator.BaseUrl}[/] (model [bold]{model}[/]); Ctrl+C or SIGTERM stops it.");
            await WaitAsync(Task.Delay(Timeout.Infinite, stop.Token), stop.Token);
        }

        await simulator.StopAsync();
        console.MarkupLine("Simulator stopped.");
        return ExitCodes.Warm;
    }

    private static async Task WaitAsync(Task task, CancellationToken cancellationToken)
    {
        try
        {
            await task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
