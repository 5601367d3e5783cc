using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Warmup.Cli.Hosting;
using Warmup.Cli.Output;
using Warmup.Cli.ShapeMaps;
using Warmup.Cli.Targets;
using Warmup.Cli.Telemetry;
using Warmup.Cli.Traffic;
using Warmup.Core.Analysis;
using Warmup.Core.Dialects;
using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Probing;
using Warmup.Core.Readiness;
using Warmup.Core.Reporting;
using Warmup.Core.ShapeMaps;
using Warmup.Core.Targets;
using Warmup.Core.Telemetry;
using Warmup.Core.Traffic;

namespace Warmup.Cli.Commands;

/// <summary>`warmup run`: warms one endpoint with a plan on the embedded Durable engine and proves it with numbers.</summary>
internal sealed class RunCommand(IAnsiConsole console, TextWriter error, StopSignal? stop = null)
{
    private readonly Option<string?> _endpoint = new("--endpoint") { Description = "Server root URL, e.g. http://127.0.0.1:8000 (a trailing /v1 is dropped)" };
    private readonly Option<string> _dialect = new("--dialect")
    {
        Description = "openai | vllm-generate | tgi | sglang | llamacpp | ollama | triton | azureml | auto",
        DefaultValueFactory = _ => DialectNames.OpenAi,
    };
    private readonly Option<string?> _deployment = new("--deployment") { Description = "Azure ML: the deployment to warm (sent as azureml-model-deployment)" };
    private readonly Option<string?> _model = new("--model") { Description = "Served model name" };
    private readonly Option<string> _api = new("--api") { Description = "For openai, ollama and azureml: completions | chat", DefaultValueFactory = _ => OpenAiApis.Completions };
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
    private readonly Option<string> _output = new("--output") { Description = $"Report on stdout: {OutputFormats.Names} (json and markdown put progress on stderr)", DefaultValueFactory = _ => "table" };
    private readonly Option<bool> _noCache = new("--no-cache") { Description = "Ignore and do not keep the learned shape map and the users' traffic seen at earlier runs (adaptive plan)" };

    public Command Create()
    {
        var command = new Command("run", "Warm up an endpoint and verify it is warm")
        {
            _endpoint, _dialect, _model, _api, _adapters, _plan, _json, _apiKeyEnv, _threshold,
            _maxConcurrency, _readyTimeout, _requestTimeout, _target, _config, _deployment, _output, _noCache,
        };
        command.SetAction(ExecuteAsync);
        return command;
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var format = OutputFormats.Parse(parse.GetValue(_output)!);
        // With json or markdown, stdout carries the report alone: progress and notes go to stderr.
        var progressConsole = format == OutputFormat.Table
            ? console
            : CliConsole.Create(error, !ReferenceEquals(error, Console.Error) || Console.IsErrorRedirected, Environment.GetEnvironmentVariable);
        var (target, catalog) = await ResolveTargetAsync(parse, progressConsole, cancellationToken);
        var plan = PlanArgument.Parse(parse.GetValue(_plan)!);
        PlanArgument.CheckAgainst(plan, target);
        var threshold = parse.GetValue(_threshold);
        if (VerdictThreshold.Problem(threshold) is { } problem)
        {
            throw new UsageException("--" + problem);
        }

        await DialectAnnouncement.DescribeAsync(progressConsole, target, catalog, cancellationToken);
        var request = new WarmupRequest(target.Name, WarmupReasons.Manual, plan, Guid.NewGuid().ToString("n"), threshold);
        var files = parse.GetValue(_noCache) ? null : new FileShapeMapStore(FileShapeMapStore.DefaultFolder(), catalog);
        var shapeMaps = files is null ? (IShapeMapStore)new NoShapeMapStore() : files;
        var traffic = new UsersTraffic(files is null ? null : new FileTrafficStore(files), TimeProvider.System);
        var report = await RunAsync(
            progressConsole, catalog, request, parse.GetValue(_json), cancellationToken, format, console.Profile.Out.Writer,
            () => stop?.Reason ?? "cancelled", shapeMaps, traffic);
        return report.Outcome == RunOutcomes.Cancelled ? stop?.ExitCode ?? ExitCodes.Interrupted : ExitCodeFor(report);
    }

    /// <summary>
    /// Runs a request on a fresh embedded engine with live progress, then prints the summary. Cancelling ends the run
    /// through its cancel path: the partial report (outcome cancelled) is still recorded, printed and returned.
    /// </summary>
    /// <param name="console">Progress and, with <see cref="OutputFormat.Table"/>, the summary.</param>
    /// <param name="stdout">Where the json or markdown report goes (stdout); unused for the table.</param>
    internal static async Task<WarmupReport> RunAsync(
        IAnsiConsole console, ITargetCatalog catalog, WarmupRequest request, string? jsonPath, CancellationToken cancellationToken,
        OutputFormat format = OutputFormat.Table, TextWriter? stdout = null, Func<string>? cancelReason = null, IShapeMapStore? shapeMaps = null,
        UsersTraffic? traffic = null)
    {
        if (jsonPath is not null)
        {
            JsonReportPath.EnsureWritable(jsonPath);
        }

        using var telemetry = StartTelemetry();
        using var trigger = WarmupSpans.StartTrigger("cli", request.Target);
        request = request with { TraceParent = WarmupSpans.CurrentTraceParent() };
        var target = catalog.Require(request.Target);
        var observed = traffic is null ? null : await ObserveTrafficAsync(console, traffic, target, catalog, cancellationToken);
        await using var host = await EmbeddedDurableHost.StartAsync(catalog, jsonPath, telemetry, cancellationToken, shapeMaps, observed);

        var endpoint = Endpoint(target);
        var report = await RunProgress.ShowAsync<WarmupReport>(
            console, progress => host.Engine.RunAsync(request, progress, cancellationToken, cancelReason), WaitingLine(target, host.Readiness));
        if (EmbeddedWarmupEngine.IsUnrecorded(report) && host.JsonReport is { } unrecorded)
        {
            // The engine stopped before the run's Record step (a signal it also heard): write what is known.
            report = report with { Dialect = target.Dialect, Model = target.Model };
            await unrecorded.RecordAsync(report, CancellationToken.None);
        }

        if (traffic is not null)
        {
            // Whatever the outcome, what the run sent is Warmup's, not users': the next check takes it out.
            await traffic.RecordOwnAsync(report, CancellationToken.None);
        }

        var markdown = MarkdownReport.Render(report, endpoint);
        switch (format)
        {
            case OutputFormat.Json:
                stdout!.WriteLine(ReportJson.Serialize(report));
                break;
            case OutputFormat.Markdown:
                stdout!.Write(markdown);
                break;
            default:
                ReportSummary.Write(console, report, endpoint);
                break;
        }

        if (CiSummary.Publish(markdown, Environment.GetEnvironmentVariable, format == OutputFormat.Json ? console.Profile.Out.Writer : stdout ?? console.Profile.Out.Writer) is { } published)
        {
            console.MarkupLine($"Summary: {Markup.Escape(published)}");
        }

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

    /// <summary>
    /// Checks what users sent the target since the last run (its metrics, less Warmup's own runs) and says so in one
    /// line; the adaptive plan covers that first. Never fails the run: a server without metrics is planned without it.
    /// </summary>
    private static async Task<IObservedTrafficStore> ObserveTrafficAsync(
        IAnsiConsole console, UsersTraffic traffic, WarmupTarget target, ITargetCatalog catalog, CancellationToken cancellationToken)
    {
        var check = await traffic.CheckAsync(target, catalog, cancellationToken);
        var kept = traffic.Store is { } store ? $" (kept in {store.PathFor(target.Name)}; --no-cache to ignore it)" : "";
        console.MarkupLine($"Traffic: {Markup.Escape(check.Summary + kept)}");
        var observed = new InMemoryObservedTrafficStore();
        if (check.Record is { } record)
        {
            await observed.SaveAsync(record, cancellationToken);
        }

        return observed;
    }

    /// <summary>The base URL without user info or query, safe to print and to put in a CI summary.</summary>
    internal static string Endpoint(WarmupTarget target) =>
        $"{target.BaseUrl.Scheme}://{target.BaseUrl.Authority}{target.BaseUrl.AbsolutePath.TrimEnd('/')}";

    /// <summary>
    /// While the gate waits, the line says what it polls, until when, and what the server last answered, so a wrong
    /// URL or a slow load is visible at once rather than after the deadline.
    /// </summary>
    private static Func<WarmupProgress?, string> WaitingLine(WarmupTarget target, ReadinessWatch watch)
    {
        var route = DialectNames.IsAuto(target.Dialect) ? "the server's own routes (detecting its dialect)" : ReadinessRoute(target);
        var deadline = DateTimeOffset.UtcNow + target.Limits.ReadyDeadline;
        return status => status is null || status.Phase == "readiness"
            ? $"waiting for {route} to answer ready (until {deadline:HH:mm:ss} UTC); last answer: {watch.LastAnswer(target.Name) ?? "none yet"}"
            : $"{status.Phase}: {status.Description}";
    }

    private static string ReadinessRoute(WarmupTarget target)
    {
        using var probe = DialectRegistry.Default.Get(target.Dialect).CreateReadinessRequest(target);
        return $"GET {probe.RequestUri!.AbsolutePath}";
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
        RunOutcomes.Misconfigured => ExitCodes.BadInput,
        // ResolvePlan only fails on the plan itself (a step longer than the context window the server reported, an
        // unknown preset): bad input, like a plan refused before the run, not an infrastructure fault.
        RunOutcomes.Failed when report.Error?.StartsWith($"{TaskNames.ResolvePlan} failed:", StringComparison.Ordinal) == true => ExitCodes.BadInput,
        _ => ExitCodes.Failed,
    };

    private async Task<(WarmupTarget Target, ITargetCatalog Catalog)> ResolveTargetAsync(
        ParseResult parse, IAnsiConsole notes, CancellationToken cancellationToken)
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

            var deployment = parse.GetValue(_deployment);
            return await ConfigTargets.ResolveAsync(
                configPath, deployment is null ? targetName : TargetDeployment.Compose(targetName, deployment), cancellationToken);
        }

        if (endpoint is null)
        {
            throw new UsageException("say which endpoint to warm: --endpoint URL --model NAME, or --target NAME --config FILE");
        }

        var options = new EndpointTargetOptions(
            endpoint,
            parse.GetValue(_dialect)!,
            parse.GetValue(_model) ?? string.Empty,
            parse.GetValue(_api)!,
            parse.GetValue(_adapters) ?? [],
            parse.GetValue(_apiKeyEnv),
            parse.GetValue(_maxConcurrency),
            TimeSpan.FromSeconds(Positive(parse.GetValue(_readyTimeout), "--ready-timeout")),
            TimeSpan.FromSeconds(Positive(parse.GetValue(_requestTimeout), "--request-timeout")),
            parse.GetValue(_deployment));
        var target = await options.ToTargetAsync(cancellationToken);
        if (options.DroppedV1(target) is { } note)
        {
            notes.MarkupLine($"[yellow]{Markup.Escape(note)}[/]");
        }

        var catalog = new TargetCatalog([target]);
        // The run of one deployment is "endpoint@deployment": its report and telemetry name the deployment.
        return target.Auth.AzureMlDeployment is { } pinned
            ? (catalog.Require(TargetDeployment.Compose(target.Name, pinned)), catalog)
            : (target, catalog);
    }

    private static int Positive(int value, string option) =>
        value > 0 ? value : throw new UsageException($"{option} must be a positive number of seconds, got {value}");
}
