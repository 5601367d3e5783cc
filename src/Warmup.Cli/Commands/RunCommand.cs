using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Warmup.Cli.Hosting;
using Warmup.Cli.Output;
using Warmup.Cli.ShapeMaps;
using Warmup.Cli.Targets;
using Warmup.Cli.Telemetry;
using Warmup.Core.Analysis;
using Warmup.Core.Dialects;
using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Probing;
using Warmup.Core.Reporting;
using Warmup.Core.ShapeMaps;
using Warmup.Core.Targets;
using Warmup.Core.Telemetry;

namespace Warmup.Cli.Commands;

/// <summary>`warmup run`: warms one endpoint with a plan on the embedded Durable engine and proves it with numbers.</summary>
internal sealed class RunCommand(IAnsiConsole console)
{
    private readonly Option<string?> _endpoint = new("--endpoint") { Description = "Server root URL, e.g. http://127.0.0.1:8000 (no /v1)" };
    private readonly Option<string> _dialect = new("--dialect") { Description = "openai | vllm-generate", DefaultValueFactory = _ => DialectNames.OpenAi };
    private readonly Option<string?> _model = new("--model") { Description = "Served model name" };
    private readonly Option<string> _api = new("--api") { Description = "For openai: completions | chat", DefaultValueFactory = _ => OpenAiApis.Completions };
    private readonly Option<string[]> _adapters = new("--adapter") { Description = "LoRA adapter name to warm too (repeatable)" };
    private readonly Option<string> _plan = new("--plan") { Description = "adaptive (default) | full | light | seed | path to a JSON plan file", DefaultValueFactory = _ => PlanPresets.Default };
    private readonly Option<string?> _json = new("--json") { Description = "Write the JSON report to this file" };
    private readonly Option<string?> _apiKeyEnv = new("--api-key-env") { Description = "Environment variable holding the API key (sent as a Bearer token)" };
    private readonly Option<double> _threshold = new("--threshold") { Description = "Warm when first-user-like TTFT / steady TTFT is at most this", DefaultValueFactory = _ => Verdict.DefaultThreshold };
    private readonly Option<int> _maxConcurrency = new("--max-concurrency") { Description = "Highest concurrency the plan may use", DefaultValueFactory = _ => 32 };
    private readonly Option<int> _readyTimeout = new("--ready-timeout") { Description = "Seconds to wait for the endpoint to become ready", DefaultValueFactory = _ => 300 };
    private readonly Option<int> _requestTimeout = new("--request-timeout") { Description = "Seconds one request may take, stream included", DefaultValueFactory = _ => 120 };
    private readonly Option<string?> _target = new("--target") { Description = "Name of a configured target (with --config)" };
    private readonly Option<string?> _config = new("--config") { Description = "Targets file, the same JSON the Functions app reads" };
    private readonly Option<bool> _noCache = new("--no-cache") { Description = "Ignore and do not keep the learned shape map (adaptive plan)" };

    public Command Create()
    {
        var command = new Command("run", "Warm up an endpoint and verify it is warm")
        {
            _endpoint, _dialect, _model, _api, _adapters, _plan, _json, _apiKeyEnv, _threshold,
            _maxConcurrency, _readyTimeout, _requestTimeout, _target, _config, _noCache,
        };
        command.SetAction(ExecuteAsync);
        return command;
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var (target, catalog) = await ResolveTargetAsync(parse, cancellationToken);
        var plan = PlanArgument.Parse(parse.GetValue(_plan)!);
        var threshold = parse.GetValue(_threshold);
        if (!(threshold > 1.0 && threshold <= 100))
        {
            throw new UsageException($"--threshold must be above 1.0 and at most 100, got {threshold}");
        }

        var request = new WarmupRequest(target.Name, WarmupReasons.Manual, plan, Guid.NewGuid().ToString("n"), threshold);
        var shapeMaps = parse.GetValue(_noCache) ? (IShapeMapStore)new NoShapeMapStore() : new FileShapeMapStore(FileShapeMapStore.DefaultFolder(), catalog);
        var report = await RunAsync(console, catalog, request, parse.GetValue(_json), cancellationToken, shapeMaps);
        return ExitCodeFor(report);
    }

    /// <summary>Runs a request on a fresh embedded engine with live progress, then prints the summary.</summary>
    internal static async Task<WarmupReport> RunAsync(
        IAnsiConsole console, ITargetCatalog catalog, WarmupRequest request, string? jsonPath, CancellationToken cancellationToken,
        IShapeMapStore? shapeMaps = null)
    {
        if (jsonPath is not null)
        {
            JsonReportPath.EnsureWritable(jsonPath);
        }

        using var telemetry = StartTelemetry();
        using var trigger = WarmupSpans.StartTrigger("cli", request.Target);
        request = request with { TraceParent = WarmupSpans.CurrentTraceParent() };
        await using var host = await EmbeddedDurableHost.StartAsync(catalog, jsonPath, telemetry, cancellationToken, shapeMaps);

        var report = await RunProgress.ShowAsync<WarmupReport>(console, progress => host.Engine.RunAsync(request, progress, cancellationToken));
        ReportSummary.Write(console, report);
        if (host.JsonReport is { } sink)
        {
            // The sinks run inside the Record activity, which logs a failing sink and goes on: say so here, loudly.
            console.MarkupLine(sink.LastWrittenPath is { } written
                ? $"Report: {Markup.Escape(written)}"
                : throw new IOException($"the report could not be written to '{jsonPath}'"));
        }

        if (report.Adaptive is not null && shapeMaps is FileShapeMapStore files)
        {
            console.MarkupLine($"Shape map: {Markup.Escape(files.PathFor(request.Target))} (--no-cache to ignore it)");
        }

        if (telemetry is not null)
        {
            console.MarkupLine($"Telemetry: {Markup.Escape(string.Join(", ", telemetry.Destinations))}");
        }

        return report;
    }

    private static CliTelemetry? StartTelemetry()
    {
        try
        {
            return CliTelemetry.Start(Environment.GetEnvironmentVariable);
        }
        catch (CliTelemetryConfigurationException e)
        {
            throw new UsageException(e.Message);
        }
    }

    internal static int ExitCodeFor(WarmupReport report) => report.Outcome switch
    {
        RunOutcomes.Warm => ExitCodes.Warm,
        RunOutcomes.NotWarm => ExitCodes.NotWarm,
        RunOutcomes.NeverReady => ExitCodes.NeverReady,
        _ => ExitCodes.Failed,
    };

    private async Task<(WarmupTarget Target, ITargetCatalog Catalog)> ResolveTargetAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var targetName = parse.GetValue(_target);
        var configPath = parse.GetValue(_config);
        var endpoint = parse.GetValue(_endpoint);

        if (targetName is not null || configPath is not null)
        {
            if (endpoint is not null)
            {
                throw new UsageException("use either --endpoint or --target/--config, not both");
            }

            if (targetName is null || configPath is null)
            {
                throw new UsageException("--target and --config go together: --target NAME --config FILE");
            }

            return await ConfigTargets.ResolveAsync(configPath, targetName, cancellationToken);
        }

        if (endpoint is null)
        {
            throw new UsageException("say which endpoint to warm: --endpoint URL --model NAME, or --target NAME --config FILE");
        }

        var target = await new EndpointTargetOptions(
            endpoint,
            parse.GetValue(_dialect)!,
            parse.GetValue(_model) ?? string.Empty,
            parse.GetValue(_api)!,
            parse.GetValue(_adapters) ?? [],
            parse.GetValue(_apiKeyEnv),
            parse.GetValue(_maxConcurrency),
            TimeSpan.FromSeconds(Positive(parse.GetValue(_readyTimeout), "--ready-timeout")),
            TimeSpan.FromSeconds(Positive(parse.GetValue(_requestTimeout), "--request-timeout"))).ToTargetAsync(cancellationToken);
        return (target, new TargetCatalog([target]));
    }

    private static int Positive(int value, string option) =>
        value > 0 ? value : throw new UsageException($"{option} must be a positive number of seconds, got {value}");
}
