using System.Globalization;
using Spectre.Console;
using Warmup.Core.Analysis;
using Warmup.Core.Reliability;
using Warmup.Core.Reporting;

namespace Warmup.Cli.Output;

/// <summary>
/// The readable end-of-run summary: a title naming the endpoint and model, one row per step, readiness, spend, then
/// the verdict in one short line and the cold shapes as a list. The same rows feed the markdown summary.
/// </summary>
internal static class ReportSummary
{
    /// <summary>Shown instead of a latency when every request of the step failed: "0.0ms" would read as fast.</summary>
    internal const string NoValue = "–";

    public static void Write(IAnsiConsole console, WarmupReport report, string endpoint)
    {
        // The title is a line of its own, not the table's: Spectre wraps a table title to the table's width.
        if (Rows(report).Count > 0)
        {
            console.MarkupLine($"[bold]{Markup.Escape(Title(report, endpoint))}[/]");
            console.Write(StepTable(report));
        }
        else
        {
            console.MarkupLine($"[bold]{Markup.Escape(Title(report, endpoint))}[/]: no warm-up traffic was sent");
        }


        var readiness = report.Readiness.Ready
            ? $"ready after {Ms(report.Readiness.TimeToReadyMs)} ({report.Readiness.Attempts} attempt(s))"
            : $"[red]not ready[/] after {Ms(report.Readiness.TimeToReadyMs)}: {Markup.Escape(report.Readiness.LastError ?? "no answer")}";
        console.MarkupLine($"Readiness: {readiness}");
        console.MarkupLine($"Spent: {Markup.Escape(Spent(report))}");
        foreach (var outage in report.Outages)
        {
            console.MarkupLine($"Outage: {Markup.Escape(Outage(outage))}");
        }

        if (Adapters(report) is { } adapters)
        {
            console.MarkupLine($"Adapters: {Markup.Escape(adapters)}");
        }

        console.MarkupLine(VerdictLine(report));
        foreach (var item in Findings(report))
        {
            console.MarkupLine($"  - {Markup.Escape(item)}");
        }
    }

    internal static string Title(WarmupReport report, string endpoint) =>
        $"Warm-up of {report.Model} at {endpoint} ({report.Plan} plan)";

    internal static string Spent(WarmupReport report) =>
        $"{report.Totals.Requests} requests ({report.Totals.Failed} failed), " +
        $"{report.Totals.PromptTokens.ToString("N0", CultureInfo.InvariantCulture)} prompt + " +
        $"{report.Totals.OutputTokens.ToString("N0", CultureInfo.InvariantCulture)} output tokens, {Ms(report.DurationMs)}";

    /// <summary>
    /// A time the server stopped answering, in one line: when, what failed, and what the run did about it (the steps sent
    /// again show up as a second pass of warm-up rows).
    /// </summary>
    internal static string Outage(ServerOutage outage)
    {
        if (outage.BetweenLevels)
        {
            return $"the server restarted between two levels: its metrics read at {outage.DetectedAt:HH:mm:ss}Z showed a new process ({outage.RestartEvidence}), which had lost what the run sent before";
        }

        var failures = string.Join(", ", outage.Failures.Select(f => $"{f.Key}×{f.Value}"));
        var where = outage.DuringVerification ? "during verification" : "during the warm-up";
        var stopped = $"the server stopped answering {where} at {outage.DetectedAt:HH:mm:ss}Z ({failures})";
        return (outage.Back, outage.Restarted) switch
        {
            (false, _) => $"{stopped} and did not answer again within {Ms(outage.DurationMs)}",
            (true, false) => $"{stopped} and answered again after {Ms(outage.DurationMs)} as the same process ({outage.RestartEvidence}): nothing was sent again",
            (true, true) => $"{stopped} and answered again after {Ms(outage.DurationMs)} as a new process ({outage.RestartEvidence}): it had lost what it compiled, so the run's steps were sent again before verifying",
            (true, null) => $"{stopped} and answered again after {Ms(outage.DurationMs)}; its metrics could not say whether it restarted, so the run's steps were sent again before verifying",
        };
    }

    /// <summary>
    /// The report's adapters in one line: which were warmed, how many of them were discovered rather than configured,
    /// and which were left out for the server's capacity. Null when the run chose none (fixed presets, no adapters).
    /// </summary>
    internal static string? Adapters(WarmupReport report)
    {
        if (report.Adapters is not { } a || a.Warmed.Count + a.LeftOut.Count == 0)
        {
            return null;
        }

        var warmed = a.Warmed.Count == 0 ? "none warmed" : $"warmed {string.Join(", ", a.Warmed)}";
        var origin = $" ({a.Configured.Count} configured, {a.Discovered.Count} discovered from /v1/models)";
        var leftOut = a.LeftOut.Count == 0 ? "" : $"; left out {string.Join(", ", a.LeftOut)}: the server holds {a.Capacity} at once";
        return warmed + origin + leftOut;
    }

    /// <summary>One short line: the outcome and, when verified, the ratio against the threshold.</summary>
    internal static string VerdictLine(WarmupReport report)
    {
        var word = PlainVerdict(report);
        return report.Outcome switch
        {
            RunOutcomes.Warm => $"[green bold]{word}[/]",
            RunOutcomes.NotWarm or RunOutcomes.Busy or RunOutcomes.Cancelled => $"[yellow bold]{Markup.Escape(word)}[/]",
            _ => $"[red bold]{Markup.Escape(word)}[/]",
        };
    }

    internal static string PlainVerdict(WarmupReport report)
    {
        // No numbers when nothing could be compared (every verification request failed): the reason says so.
        var ratio = report.Verdict is { FirstTtftMs: > 0, Ratio: { } value } v
            ? $" {Ratio(value)} first-user-like / steady TTFT (threshold {Ratio(v.Threshold)})"
            : string.Empty;
        return report.Outcome switch
        {
            RunOutcomes.Warm => $"WARM{ratio}",
            RunOutcomes.NotWarm => $"NOT WARM{ratio}",
            RunOutcomes.NeverReady => "NEVER READY",
            RunOutcomes.Misconfigured => "MISCONFIGURED",
            RunOutcomes.Aborted => "ABORTED",
            RunOutcomes.Busy => "BUSY",
            RunOutcomes.Cancelled => "CANCELLED",
            _ => $"FAILED{ratio}",
        };
    }

    /// <summary>The cold shapes, then any other reason (failed probes, a run error), one item each.</summary>
    internal static IReadOnlyList<string> Findings(WarmupReport report)
    {
        var items = new List<string>();
        if (report.Verdict is { } verdict)
        {
            items.AddRange(verdict.ByLength.Where(l => l.IsCold).Select(l =>
                $"cold: {l.PromptTokens} prompt tokens, first user {Ms(l.FirstTtftMs)} vs steady {Ms(l.SteadyTtftMs)} ({Ratio(l.Ratio)})"));
            var probes = new[] { report.FirstUserLike, report.Steady }.OfType<StepResult>().ToList();
            var failed = probes.Sum(p => p.Requests - p.Succeeded);
            if (failed > 0)
            {
                items.Add($"{failed} of {probes.Sum(p => p.Requests)} verification probes failed, as a user's request would have");
            }

            if (!verdict.IsWarm && items.Count == 0 && verdict.Reason is { } reason)
            {
                items.Add(reason);
            }
        }

        if (report.Error is { } error)
        {
            items.Add(error);
        }
        else if (report.Outcome == RunOutcomes.NeverReady && report.Readiness.LastError is { } last)
        {
            items.Add($"last readiness answer: {last}");
        }

        return items;
    }

    internal static IReadOnlyList<StepResult> Rows(WarmupReport report) =>
        report.Steps.Concat(new[] { report.FirstUserLike, report.Steady }.OfType<StepResult>()).ToList();

    internal static bool HasAdapters(WarmupReport report) => Rows(report).Any(s => s.Step.Adapter is not null);

    internal static IReadOnlyList<string> Header(bool adapters) =>
        adapters
            ? ["phase", "adapter", "prompt", "out", "conc", "TTFT p50", "TTFT p99", "ITL p50", "E2E p50", "err"]
            : ["phase", "prompt", "out", "conc", "TTFT p50", "TTFT p99", "ITL p50", "E2E p50", "err"];

    /// <summary>A step's cells in <see cref="Header"/> order, unescaped.</summary>
    internal static IReadOnlyList<string> Cells(StepResult step, bool adapters)
    {
        var measured = step.Succeeded > 0;
        var cells = new List<string> { step.Phase };
        if (adapters)
        {
            cells.Add(step.Step.Adapter ?? "(base)");
        }

        cells.AddRange(
        [
            step.Step.PromptTokens.ToString(CultureInfo.InvariantCulture),
            step.Step.MaxOutputTokens.ToString(CultureInfo.InvariantCulture),
            step.Step.Concurrency.ToString(CultureInfo.InvariantCulture),
            measured ? Ms(step.TtftMs.P50) : NoValue,
            measured ? Ms(step.TtftMs.P99) : NoValue,
            measured ? Ms(step.InterTokenMs.P50) : NoValue,
            measured ? Ms(step.E2eMs.P50) : NoValue,
            step.ErrorsByOutcome.Count == 0
                ? "-"
                : $"{step.Requests - step.Succeeded}/{step.Requests} " + string.Join(", ", step.ErrorsByOutcome.Select(e => $"{e.Key}×{e.Value}")),
        ]);
        return cells;
    }

    private static Table StepTable(WarmupReport report)
    {
        var adapters = HasAdapters(report);
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns(Header(adapters).ToArray());
        foreach (var column in table.Columns)
        {
            column.NoWrap();
        }

        var numeric = adapters ? 2 : 1;
        foreach (var column in table.Columns.Skip(numeric).Take(7))
        {
            column.RightAligned();
        }

        foreach (var step in Rows(report))
        {
            table.AddRow(Cells(step, adapters).Select(Markup.Escape).ToArray());
        }

        return table;
    }

    private static string Ratio(double ratio) => ratio.ToString("0.00", CultureInfo.InvariantCulture) + "x";

    internal static string Ms(double ms) => ms switch
    {
        >= 10_000 => (ms / 1000).ToString("0.0", CultureInfo.InvariantCulture) + "s",
        >= 100 => ms.ToString("0", CultureInfo.InvariantCulture) + "ms",
        _ => ms.ToString("0.0", CultureInfo.InvariantCulture) + "ms",
    };
}
