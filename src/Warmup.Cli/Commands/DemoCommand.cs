using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Warmup.Cli.Demo;
using Warmup.Cli.Output;
using Warmup.Cli.Targets;
using Warmup.Core.Dialects;
using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Probing;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;
using Warmup.Simulator;

namespace Warmup.Cli.Commands;

/// <summary>
/// `warmup demo`: starts the cold-start simulator on loopback, shows a cold first request, warms the server with a
/// plan, shows the warmed first request, and writes report.json plus a cold-versus-warm TTFT chart.
/// No GPU and no Azure needed.
/// </summary>
internal sealed class DemoCommand(IAnsiConsole console)
{
    private readonly Option<string> _profile = new("--profile") { Description = "Simulator profile: default, many-buckets, lora, or a profile JSON file", DefaultValueFactory = _ => "default" };
    // A quarter of real time keeps the demo near a minute; ratios (cold / warm, first / steady) do not depend on it.
    private readonly Option<double> _timeScale = new("--time-scale") { Description = "Multiply every modelled duration (1 = the profile's real timings)", DefaultValueFactory = _ => 0.25 };
    private readonly Option<string> _plan = new("--plan") { Description = "full | light | seed | path to a JSON plan file", DefaultValueFactory = _ => PlanPresets.Full };
    private readonly Option<string> _out = new("--out") { Description = "Folder for report.json and the chart", DefaultValueFactory = _ => "warmup-demo" };

    public Command Create()
    {
        var command = new Command("demo", "See a cold start removed: simulator, cold request, warm-up, warm request, chart") { _profile, _timeScale, _plan, _out };
        command.SetAction(ExecuteAsync);
        return command;
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var profile = SimulatorProfiles.Resolve(parse.GetValue(_profile)!, parse.GetValue(_timeScale));
        var plan = PlanArgument.Parse(parse.GetValue(_plan)!);

        var outDir = parse.GetValue(_out)!;
        Directory.CreateDirectory(outDir);

        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = profile, Port = 0 }, cancellationToken);
        // Configured the way an operator would without reading the simulator's internals: its model, adapters and
        // address. Its compiled shapes are left to the plan's defaults (a target's promptBuckets/batchSizes otherwise).
        var target = new WarmupTarget
        {
            Name = "demo",
            BaseUrl = simulator.BaseUrl,
            Dialect = DialectNames.OpenAi,
            Model = profile.Model,
            Adapters = profile.LoraAdapters.Select(a => a.Name).ToList(),
            Limits = new TargetLimits { ReadyDeadline = TimeSpan.FromMinutes(2) },
        };
        PlanArgument.CheckAgainst(plan, target);
        var catalog = new TargetCatalog([target]);
        using var http = WarmupHttp.CreateClient();
        var user = new FirstUserRequest(http);

        console.MarkupLine(
            $"[bold]1.[/] Started the cold-start simulator at {simulator.BaseUrl} (profile [bold]{Markup.Escape(parse.GetValue(_profile)!)}[/], " +
            $"time scale {profile.TimeScale.ToString(CultureInfo.InvariantCulture)}).");
        var readiness = await user.WaitUntilReadyAsync(target, cancellationToken);
        if (!readiness.Ready)
        {
            console.MarkupLine($"[red]The simulator never became ready: {Markup.Escape(readiness.LastError ?? "no answer")}[/]");
            return ExitCodes.NeverReady;
        }

        console.MarkupLine($"   Ready after {ReportSummary.Ms(readiness.TimeToReadyMs)}. Ready is not warm:");
        var beforeCold = ChargedPenalties.LastSequence(simulator.Log);
        var cold = await user.SendAsync(target, "demo-cold-user", cancellationToken);
        console.MarkupLine($"[bold]2.[/] A user's first request ({FirstUserRequest.PromptTokens}-token prompt): TTFT [red bold]{Markup.Escape(Ttft(cold))}[/]");
        await ShowPenaltiesAsync(simulator, beforeCold, cancellationToken);

        console.MarkupLine($"[bold]3.[/] Warming up with the [bold]{Markup.Escape(plan.Preset)}[/] plan on the embedded Durable engine:");
        var reportPath = Path.Combine(outDir, "report.json");
        var report = await RunCommand.RunAsync(console, catalog, Request(target, plan), reportPath, cancellationToken);

        var beforeWarm = ChargedPenalties.LastSequence(simulator.Log);
        var warm = await user.SendAsync(target, "demo-warm-user", cancellationToken);
        console.MarkupLine($"[bold]4.[/] The next user's first request: TTFT [green bold]{Markup.Escape(Ttft(warm))}[/]" + Speedup(cold, warm));
        await ShowPenaltiesAsync(simulator, beforeWarm, cancellationToken);

        console.MarkupLine("[bold]5.[/] Re-running the same steps on the warm server for the chart...");
        var warmPass = await RunQuietlyAsync(catalog, Request(target, plan), cancellationToken);
        var chartPath = Path.Combine(outDir, "ttft-cold-vs-warm.html");
        await File.WriteAllTextAsync(chartPath, TtftChart.Render(
            "TTFT per step: cold against warm",
            $"Simulator profile '{parse.GetValue(_profile)}', plan '{plan.Preset}'. First user request: {Ttft(cold)} cold, {Ttft(warm)} warm.",
            Bars(cold, warm, report, warmPass)), cancellationToken);
        console.MarkupLine($"   Chart:  {Markup.Escape(Path.GetFullPath(chartPath))}");
        return RunCommand.ExitCodeFor(report);
    }

    /// <summary>Label of the line that shows what the simulator charged the request just sent.</summary>
    internal const string PenaltiesLabel = "Cold-start penalties the simulator charged it:";

    private async Task ShowPenaltiesAsync(SimulatorHost simulator, long before, CancellationToken cancellationToken)
    {
        var charged = await ChargedPenalties.OfNextRequestAsync(simulator.Log, before, cancellationToken);
        console.MarkupLine($"   {PenaltiesLabel} {Markup.Escape(ChargedPenalties.Describe(charged))}");
    }

    private static WarmupRequest Request(WarmupTarget target, PlanSpec plan) =>
        new(target.Name, WarmupReasons.Manual, plan, Guid.NewGuid().ToString("n"));

    private static async Task<WarmupReport> RunQuietlyAsync(ITargetCatalog catalog, WarmupRequest request, CancellationToken cancellationToken)
    {
        await using var host = await Hosting.EmbeddedDurableHost.StartAsync(catalog, jsonReport: null, telemetry: null, cancellationToken);
        return await host.Engine.RunAsync(request, progress: null, cancellationToken);
    }

    internal static IReadOnlyList<ChartBar> Bars(ProbeResult cold, ProbeResult warm, WarmupReport coldRun, WarmupReport warmRun)
    {
        var bars = new List<ChartBar> { new("first user request", cold.TtftMs ?? 0, warm.TtftMs ?? 0) };
        bars.AddRange(coldRun.Steps.Zip(warmRun.Steps, (c, w) => new ChartBar(
            $"{c.Step.PromptTokens} tok × {c.Step.Concurrency}{(c.Step.Adapter is null ? string.Empty : " " + c.Step.Adapter)}",
            c.TtftMs.P50,
            w.TtftMs.P50)));
        return bars;
    }

    private static string Ttft(ProbeResult result) =>
        result.TtftMs is { } ms ? ReportSummary.Ms(ms) : $"none ({result.Outcome}{(result.Error is null ? string.Empty : ": " + result.Error)})";

    private static string Speedup(ProbeResult cold, ProbeResult warm) =>
        cold.TtftMs is { } c && warm.TtftMs is { } w && w > 0
            ? $" ({(c / w).ToString("0.0", CultureInfo.InvariantCulture)}× faster than cold)"
            : string.Empty;
}
