using System.Globalization;
using Spectre.Console;
using Warmup.Core.Analysis;
using Warmup.Core.Reporting;

namespace Warmup.Cli.Output;

/// <summary>The readable end-of-run summary: one row per step, then readiness and the verdict.</summary>
internal static class ReportSummary
{
    public static void Write(IAnsiConsole console, WarmupReport report)
    {
        console.Write(StepTable(report));

        var readiness = report.Readiness.Ready
            ? $"ready after {Ms(report.Readiness.TimeToReadyMs)} ({report.Readiness.Attempts} attempt(s))"
            : $"[red]never ready[/] after {Ms(report.Readiness.TimeToReadyMs)}: {Markup.Escape(report.Readiness.LastError ?? "no answer")}";
        console.MarkupLine($"Readiness: {readiness}");
        console.MarkupLine(
            $"Spent: {report.Totals.Requests} requests ({report.Totals.Failed} failed), " +
            $"{report.Totals.PromptTokens:N0} prompt + {report.Totals.OutputTokens:N0} output tokens, {Ms(report.DurationMs)}");
        console.MarkupLine(VerdictLine(report));
    }

    internal static string VerdictLine(WarmupReport report)
    {
        var verdict = report.Verdict;
        // No numbers when nothing could be compared (every verification request failed): the reason says so.
        var ratio = verdict is not { FirstTtftMs: { } first, SteadyTtftMs: { } steady, Ratio: { } value }
            ? string.Empty
            : $": first-user-like TTFT {Ms(first)} vs steady {Ms(steady)}, " +
              $"ratio {value.ToString("0.00", CultureInfo.InvariantCulture)} (threshold {verdict.Threshold.ToString("0.00", CultureInfo.InvariantCulture)})";
        var reason = verdict?.Reason ?? report.Error;
        var suffix = string.IsNullOrEmpty(reason) ? string.Empty : $" — {Markup.Escape(reason)}";
        return report.Outcome switch
        {
            RunOutcomes.Warm => $"[green bold]WARM[/]{ratio}{suffix}",
            RunOutcomes.NotWarm => $"[yellow bold]NOT WARM[/]{ratio}{suffix}",
            RunOutcomes.NeverReady => $"[red bold]NEVER READY[/]{suffix}",
            _ => $"[red bold]FAILED[/]{ratio}{suffix}",
        };
    }

    private static Table StepTable(WarmupReport report)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"Warm-up of [bold]{Markup.Escape(report.Target)}[/] ({Markup.Escape(report.Plan)} plan)");
        table.AddColumns("phase", "prompt", "out", "conc", "TTFT p50", "TTFT p99", "ITL p50", "E2E p50", "err");
        table.Columns[0].NoWrap();
        foreach (var column in table.Columns.Skip(1).Take(7))
        {
            column.RightAligned().NoWrap();
        }

        IEnumerable<StepResult> rows = report.Steps;
        if (report.FirstUserLike is not null)
        {
            rows = rows.Append(report.FirstUserLike);
        }

        if (report.Steady is not null)
        {
            rows = rows.Append(report.Steady);
        }

        foreach (var step in rows)
        {
            table.AddRow(
                step.Phase,
                step.Step.PromptTokens.ToString(CultureInfo.InvariantCulture),
                step.Step.MaxOutputTokens.ToString(CultureInfo.InvariantCulture),
                step.Step.Concurrency.ToString(CultureInfo.InvariantCulture),
                Ms(step.TtftMs.P50),
                Ms(step.TtftMs.P99),
                Ms(step.InterTokenMs.P50),
                Ms(step.E2eMs.P50),
                step.ErrorsByOutcome.Count == 0
                    ? "-"
                    : Markup.Escape($"{step.Requests - step.Succeeded}/{step.Requests} " + string.Join(", ", step.ErrorsByOutcome.Select(e => $"{e.Key}×{e.Value}"))));
        }

        return table;
    }

    internal static string Ms(double ms) => ms switch
    {
        >= 10_000 => (ms / 1000).ToString("0.0", CultureInfo.InvariantCulture) + "s",
        >= 100 => ms.ToString("0", CultureInfo.InvariantCulture) + "ms",
        _ => ms.ToString("0.0", CultureInfo.InvariantCulture) + "ms",
    };
}
