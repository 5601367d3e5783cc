using System.CommandLine;
using Spectre.Console;
using Warmup.Simulator;

namespace Warmup.Cli.Commands;

/// <summary>`warmup simulate`: runs the cold-start simulator standalone until Ctrl+C.</summary>
internal sealed class SimulateCommand(IAnsiConsole console)
{
    private readonly Option<string> _profile = new("--profile") { Description = "Built-in profile (default, many-buckets, lora) or a profile JSON file", DefaultValueFactory = _ => "default" };
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

        await using var simulator = await SimulatorHost.StartAsync(options, cancellationToken);
        console.MarkupLine($"Simulator ({family}) listening on [bold]{simulator.BaseUrl}[/] (model [bold]{Markup.Escape(options.Profile.Model)}[/]); Ctrl+C stops it.");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }

        console.MarkupLine("Simulator stopped.");
        return ExitCodes.Warm;
    }
}
