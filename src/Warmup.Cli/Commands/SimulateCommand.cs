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
    private readonly Option<string?> _deployments = new("--deployments") { Description = "azureml: the endpoint's deployments, comma-separated; the first takes the traffic (default blue,green)" };
    private readonly Option<int?> _requestTimeoutMs = new("--request-timeout-ms") { Description = "azureml: every deployment's request_settings.request_timeout_ms (default 5000)" };
    private readonly Option<int?> _maxConcurrent = new("--max-concurrent-requests-per-instance") { Description = "azureml: every deployment's request_settings.max_concurrent_requests_per_instance (default 1)" };
    private readonly Option<int?> _instanceCount = new("--instance-count") { Description = "azureml: every deployment's instance_count (default 1)" };

    public Command Create()
    {
        var command = new Command("simulate", "Run the vLLM-compatible cold-start simulator")
        {
            _profile, _port, _faults, _timeScale, _log, _dialect, _apiKey, _deployments, _requestTimeoutMs, _maxConcurrent, _instanceCount,
        };
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
        var options = AzureMl(parse, family, new SimulatorOptions
        {
            Family = family,
            ApiKey = parse.GetValue(_apiKey),
            Profile = SimulatorProfiles.Resolve(parse.GetValue(_profile)!, parse.GetValue(_timeScale)),
            Port = port,
            Faults = SimulatorProfiles.ParseFaults(parse.GetValue(_faults)),
            LogFile = parse.GetValue(_log),
        });

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

        var readyIn = TimeSpan.FromMilliseconds(options.Profile.StartupDelayMs * options.Profile.TimeScale).TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
        if (!simulator.Listening.IsCompleted)
        {
            // The modelled start-up: the port is bound but refuses connections, as while a real server loads weights.
            console.MarkupLine(
                $"Simulator ({family}) starting on [bold]{simulator.BaseUrl}[/] (model [bold]{model}[/]), ready in {readyIn} s; " +
                "connections are refused until then. Ctrl+C or SIGTERM stops it.");
            await WaitAsync(simulator.Listening, stop.Token);
        }

        if (!simulator.Loaded && !stop.IsCancellationRequested)
        {
            // llama.cpp, SGLang, Triton, Ollama and Azure ML listen while they load and answer "not yet" until then.
            console.MarkupLine(
                $"Simulator ({family}) listening on [bold]{simulator.BaseUrl}[/] while it loads, ready in {readyIn} s; " +
                "until then it answers as its server does while loading. Ctrl+C or SIGTERM stops it.");
            await WaitAsync(simulator.Ready, stop.Token);
        }

        if (!stop.IsCancellationRequested)
        {
            if (family == ServerFamily.AzureMl)
            {
                var settings = options.RequestSettingsOf(options.AzureMlDeployments[0]);
                console.MarkupLine(Markup.Escape(
                    $"Deployments {string.Join(", ", options.AzureMlDeployments)} (the first takes the traffic; pick one with the azureml-model-deployment header), each " +
                    $"request_timeout_ms {settings.RequestTimeoutMs}, max_concurrent_requests_per_instance {settings.MaxConcurrentRequestsPerInstance}, instance_count {settings.InstanceCount}."));
            }

            console.MarkupLine($"Simulator ({family}) ready on [bold]{simulator.BaseUrl}[/] (model [bold]{model}[/]); Ctrl+C or SIGTERM stops it.");
            await WaitAsync(Task.Delay(Timeout.Infinite, stop.Token), stop.Token);
        }

        await simulator.StopAsync();
        console.MarkupLine("Simulator stopped.");
        return ExitCodes.Warm;
    }

    /// <summary>The Azure ML front end's deployments and request_settings, the same for every deployment; only with --dialect azureml.</summary>
    private SimulatorOptions AzureMl(ParseResult parse, string family, SimulatorOptions options)
    {
        var given = new Option[] { _deployments, _requestTimeoutMs, _maxConcurrent, _instanceCount }.Where(o => parse.GetResult(o) is { Implicit: false }).ToList();
        if (given.Count == 0)
        {
            return options;
        }

        if (family != ServerFamily.AzureMl)
        {
            throw new UsageException($"{given[0].Name} is an Azure ML setting: use it with --dialect azureml");
        }

        var names = parse.GetValue(_deployments) is { } list ? list.Split(',', StringSplitOptions.TrimEntries) : [.. options.AzureMlDeployments];
        if (names.Any(n => n.Length == 0) || names.Distinct(StringComparer.OrdinalIgnoreCase).Count() != names.Length)
        {
            throw new UsageException($"--deployments '{parse.GetValue(_deployments)}' must be distinct, non-empty names separated by commas, e.g. blue,green");
        }

        var settings = new AzureMlRequestSettings
        {
            RequestTimeoutMs = Positive(_requestTimeoutMs, AzureMlRequestSettings.Default.RequestTimeoutMs),
            MaxConcurrentRequestsPerInstance = Positive(_maxConcurrent, AzureMlRequestSettings.Default.MaxConcurrentRequestsPerInstance),
            InstanceCount = Positive(_instanceCount, AzureMlRequestSettings.Default.InstanceCount),
        };
        return options with { AzureMlDeployments = names, AzureMlRequestSettings = names.ToDictionary(n => n, _ => settings) };

        int Positive(Option<int?> option, int fallback) => parse.GetValue(option) switch
        {
            null => fallback,
            > 0 and var value => value,
            var value => throw new UsageException($"{option.Name} must be a positive whole number, got {value}"),
        };
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
