using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Warmup.Cli.Demo;
using Warmup.Cli.Output;
using Warmup.Cli.Targets;
using Warmup.Core.Analysis;
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
/// plan, then sends the next users on a shape only the plan can have warmed (<see cref="NextUsers"/>), and writes
/// report.json plus the chart (SVG and HTML). `--compare` runs several plans side by side instead.
/// No GPU and no Azure needed.
/// </summary>
internal sealed class DemoCommand(IAnsiConsole console)
{
    private readonly Option<string> _profile = new("--profile") { Description = $"Simulator profile: {string.Join(", ", SimulatorProfile.BuiltinNames)}, or a profile JSON file", DefaultValueFactory = _ => "default" };
    // A quarter of real time keeps the demo near a minute; ratios (cold / warm, first / steady) do not depend on it.
    private readonly Option<double> _timeScale = new("--time-scale") { Description = "Multiply every modelled duration (1 = the profile's real timings)", DefaultValueFactory = _ => 0.25 };
    private readonly Option<string> _plan = new("--plan") { Description = $"adaptive | full | light | seed | path to a JSON plan file (default {PlanPresets.Default})", DefaultValueFactory = _ => PlanPresets.Default };
    private readonly Option<string> _out = new("--out") { Description = "Folder for report.json and the chart", DefaultValueFactory = _ => "warmup-demo" };
    private readonly Option<bool> _compare = new("--compare") { Description = "Run light, seed and the default plan each on a fresh simulator and compare what a user mix still meets" };

    public Command Create()
    {
        var command = new Command("demo", "See a cold start removed: simulator, cold request, warm-up, warm request, chart") { _profile, _timeScale, _plan, _out, _compare };
        command.SetAction(ExecuteAsync);
        return command;
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var profileName = parse.GetValue(_profile)!;
        var profile = SimulatorProfiles.Resolve(profileName, parse.GetValue(_timeScale));
        if (parse.GetValue(_compare))
        {
            return await CompareAsync(profile, cancellationToken);
        }

        var plan = PlanArgument.Parse(parse.GetValue(_plan)!);
        var outDir = parse.GetValue(_out)!;
        Directory.CreateDirectory(outDir);

        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = profile, Port = 0 }, cancellationToken);
        var target = Target(simulator, profile);
        PlanArgument.CheckAgainst(plan, target);
        var catalog = new TargetCatalog([target]);
        using var http = WarmupHttp.CreateClient();
        var user = new FirstUserRequest(http);

        console.MarkupLine(
            $"[bold]1.[/] Started the cold-start simulator at {simulator.BaseUrl} (profile [bold]{Markup.Escape(profileName)}[/], " +
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

        console.MarkupLine(
            $"[bold]4.[/] The next users: {NextUsers.Shape}. Verification sends long prompts one at a time and short ones in bursts, so only the plan can have " +
            "warmed this shape:");
        var since = simulator.Log.Count;
        var burst = await new NextUsers(http).SendAsync(target, "demo-next-users", cancellationToken);
        var met = SimulatorPenalties.BeforeFirstToken(simulator, since);
        var again = await new NextUsers(http).SendAsync(target, "demo-next-users-again", cancellationToken);
        console.MarkupLine("   " + NextUsersLine(NextUsers.WorstTtftMs(burst), NextUsers.WorstTtftMs(again), met));

        console.MarkupLine("[bold]5.[/] Sending the verified prompt lengths to a fresh, un-warmed simulator for the chart...");
        var before = await FirstUsersWithoutWarmupAsync(profile, report, cancellationToken);
        var (svgPath, htmlPath) = await WriteChartAsync(outDir, profileName, report, before, RunCommand.Endpoint(target), cancellationToken);
        console.MarkupLine($"   Chart:  {Markup.Escape(Path.GetFullPath(htmlPath))} (and {Markup.Escape(Path.GetFileName(svgPath))})");
        return RunCommand.ExitCodeFor(report);
    }

    /// <summary>Label of the line that shows what the simulator charged the request just sent.</summary>
    internal const string PenaltiesLabel = "Cold-start penalties the simulator charged it:";

    private async Task ShowPenaltiesAsync(SimulatorHost simulator, long before, CancellationToken cancellationToken)
    {
        var charged = await ChargedPenalties.OfNextRequestAsync(simulator.Log, before, cancellationToken);
        console.MarkupLine($"   {PenaltiesLabel} {Markup.Escape(ChargedPenalties.Describe(charged))}");
    }

    /// <summary>
    /// Configured the way an operator would without reading the simulator's internals: its model, adapters and
    /// address. Its compiled shapes are left to the plan (a target's promptBuckets/batchSizes otherwise).
    /// </summary>
    private static WarmupTarget Target(SimulatorHost simulator, SimulatorProfile profile) => new()
    {
        Name = "demo",
        BaseUrl = simulator.BaseUrl,
        Dialect = DialectNames.OpenAi,
        Model = profile.Model,
        Adapters = profile.LoraAdapters.Select(a => a.Name).ToList(),
        Limits = new TargetLimits { ReadyDeadline = TimeSpan.FromMinutes(2) },
    };

    /// <summary>
    /// The demo owns the server, so "still cold" is the simulator's own record of the cold penalties the burst paid, not
    /// a timing comparison: at the demo's time scales a few milliseconds of scheduling noise would otherwise decide it.
    /// The measured TTFTs are printed beside it.
    /// </summary>
    internal static string NextUsersLine(double? firstMs, double? againMs, IReadOnlyList<string> penalties)
    {
        if (firstMs is not { } first || againMs is not { } steady)
        {
            return "[red bold]the burst failed[/]";
        }

        var numbers = $"slowest first token {ReportSummary.Ms(first)}, the same burst again {ReportSummary.Ms(steady)}";
        return penalties.Count > 0
            ? $"{numbers}: [red bold]still cold[/] (the server paid {Markup.Escape(Penalties(penalties))}): this plan left the shape for the users"
            : $"{numbers}: [green bold]warm[/], the plan had prepared it";
    }

    private static string Penalties(IReadOnlyList<string> penalties) =>
        penalties.Count == 0
            ? "no modelled penalty"
            : string.Join(", ", penalties.GroupBy(p => p).Select(g => g.Count() == 1 ? g.Key : $"{g.Key}×{g.Count()}"));

    /// <summary>
    /// "Before" for the chart: each verified length sent, one at a time, as the first request of its length to a fresh
    /// simulator with the same profile (the demo's own server is warm by now, and probing it first would have warmed it).
    /// </summary>
    private static async Task<IReadOnlyDictionary<int, double?>> FirstUsersWithoutWarmupAsync(
        SimulatorProfile profile, WarmupReport report, CancellationToken cancellationToken)
    {
        var lengths = report.Verdict?.ByLength.Select(l => l.PromptTokens).ToList() ?? [];
        var before = new Dictionary<int, double?>();
        if (lengths.Count == 0)
        {
            return before;
        }

        await using var fresh = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = profile, Port = 0 }, cancellationToken);
        var target = Target(fresh, profile);
        using var http = WarmupHttp.CreateClient();
        var user = new FirstUserRequest(http);
        if ((await user.WaitUntilReadyAsync(target, cancellationToken)).Ready)
        {
            foreach (var length in lengths)
            {
                before[length] = (await user.SendAsync(target, length, $"demo-before-{length}", cancellationToken)).TtftMs;
            }
        }

        return before;
    }

    private static async Task<(string Svg, string Html)> WriteChartAsync(
        string outDir, string profileName, WarmupReport report, IReadOnlyDictionary<int, double?> before, string endpoint, CancellationToken cancellationToken)
    {
        var shapes = (report.Verdict?.ByLength ?? []).Select(l => new ShapeBars(
            $"{l.PromptTokens:N0} tokens", before.GetValueOrDefault(l.PromptTokens), l.FirstTtftMs, l.SteadyTtftMs)).ToList();
        var svg = TtftChart.RenderSvg(
            ReportSummary.PlainVerdict(report),
            [$"{report.Model} on the simulator (profile '{profileName}') at {endpoint}, plan '{report.Plan}'", $"Spent: {ReportSummary.Spent(report)}"],
            report.Verdict?.Threshold ?? Verdict.DefaultThreshold,
            shapes,
            Timeline(report));
        var svgPath = Path.Combine(outDir, "ttft-cold-vs-warm.svg");
        var htmlPath = Path.Combine(outDir, "ttft-cold-vs-warm.html");
        await File.WriteAllTextAsync(svgPath, svg, cancellationToken);
        await File.WriteAllTextAsync(htmlPath, TtftChart.RenderHtml($"Warm-up of {report.Model}: {ReportSummary.PlainVerdict(report)}", svg), cancellationToken);
        return (svgPath, htmlPath);
    }

    internal static IReadOnlyList<TimelinePoint> Timeline(WarmupReport report)
    {
        var steps = report.Steps.Select((s, i) => (Step: s, Index: i)).Where(s => s.Step.StartedAt is not null).ToList();
        if (steps.Count == 0)
        {
            return [];
        }

        var t0 = steps.Min(s => s.Step.StartedAt!.Value);
        return steps.SelectMany(s => (s.Step.RequestTtftMs ?? []).Select(ttft => new TimelinePoint(
            (s.Step.StartedAt!.Value - t0).TotalSeconds,
            ttft,
            s.Index,
            $"{s.Step.Step.PromptTokens} tok × {s.Step.Step.Concurrency}{(s.Step.Step.Adapter is null ? string.Empty : " " + s.Step.Step.Adapter)}"))).ToList();
    }

    /// <summary>
    /// `demo --compare`: each plan on its own fresh simulator, then the same user mix; one row per plan with what the mix
    /// still met. The penalties come from the simulator's record of each request, which only the demo reads.
    /// </summary>
    private async Task<int> CompareAsync(SimulatorProfile profile, CancellationToken cancellationToken)
    {
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("plan", "verdict", "cold penalties the users met", "slowest first TTFT", "same mix again", "warm-up tokens");
        foreach (var column in table.Columns)
        {
            column.NoWrap();
        }

        foreach (var name in new[] { PlanPresets.Light, PlanPresets.Seed, PlanPresets.Full, PlanPresets.Default }.Distinct())
        {
            console.MarkupLine($"Plan [bold]{name}[/] on a fresh simulator...");
            await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = profile, Port = 0 }, cancellationToken);
            var target = Target(simulator, profile);
            using var http = WarmupHttp.CreateClient();
            if (!(await new FirstUserRequest(http).WaitUntilReadyAsync(target, cancellationToken)).Ready)
            {
                table.AddRow(name, "never ready", "–", "–", "–", "–");
                continue;
            }

            var report = await RunQuietlyAsync(new TargetCatalog([target]), Request(target, PlanSpec.FromPreset(name)), cancellationToken);
            var mix = await new UserMix(http).SendAsync(target, simulator, cancellationToken);
            table.AddRow(
                Markup.Escape(name),
                Markup.Escape(report.Outcome),
                Markup.Escape(mix.ColdPenalties == 0 ? "0" : $"{mix.ColdPenalties} ({Penalties(mix.PenaltyNames)})"),
                mix.WorstFirstMs is { } first ? ReportSummary.Ms(first) : ReportSummary.NoValue,
                mix.WorstSteadyMs is { } steady ? ReportSummary.Ms(steady) : ReportSummary.NoValue,
                (report.Totals.PromptTokens + report.Totals.OutputTokens).ToString("N0", CultureInfo.InvariantCulture));
        }

        console.MarkupLine($"[bold]Plans side by side: the same user mix after each ({Markup.Escape(NextUsers.Shape)}, then 3 single users)[/]");
        console.Write(table);
        return ExitCodes.Warm;
    }

    private static WarmupRequest Request(WarmupTarget target, PlanSpec plan) =>
        new(target.Name, WarmupReasons.Manual, plan, Guid.NewGuid().ToString("n"));

    private static async Task<WarmupReport> RunQuietlyAsync(ITargetCatalog catalog, WarmupRequest request, CancellationToken cancellationToken)
    {
        await using var host = await Hosting.EmbeddedDurableHost.StartAsync(catalog, jsonReport: null, telemetry: null, cancellationToken);
        return await host.Engine.RunAsync(request, progress: null, cancellationToken);
    }

    private static string Ttft(ProbeResult result) =>
        result.TtftMs is { } ms ? ReportSummary.Ms(ms) : $"none ({result.Outcome}{(result.Error is null ? string.Empty : ": " + result.Error)})";
}
