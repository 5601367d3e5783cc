using System.Text;
using Warmup.Core.Reporting;

namespace Warmup.Cli.Output;

/// <summary>The summary as GitHub-flavoured markdown: for --output markdown and the CI job summaries.</summary>
internal static class MarkdownReport
{
    public static string Render(WarmupReport report, string endpoint)
    {
        var md = new StringBuilder();
        md.Append("### ").AppendLine(Escape(ReportSummary.Title(report, endpoint)));
        md.AppendLine();
        md.Append("**").Append(Escape(ReportSummary.PlainVerdict(report))).AppendLine("**");
        md.AppendLine();
        var findings = ReportSummary.Findings(report);
        foreach (var item in findings)
        {
            md.Append("- ").AppendLine(Escape(item));
        }

        if (findings.Count > 0)
        {
            md.AppendLine();
        }

        var adapters = ReportSummary.HasAdapters(report);
        var header = ReportSummary.Header(adapters);
        md.Append("| ").AppendJoin(" | ", header).AppendLine(" |");
        md.Append('|').AppendJoin('|', header.Select((_, i) => i == 0 || (adapters && i == 1) ? " --- " : " ---: ")).AppendLine("|");
        foreach (var step in ReportSummary.Rows(report))
        {
            md.Append("| ").AppendJoin(" | ", ReportSummary.Cells(step, adapters).Select(Escape)).AppendLine(" |");
        }

        md.AppendLine();
        md.Append("Spent: ").AppendLine(Escape(ReportSummary.Spent(report)));
        foreach (var outage in report.Outages)
        {
            md.AppendLine();
            md.Append("Outage: ").AppendLine(Escape(ReportSummary.Outage(outage)));
        }

        if (ReportSummary.Adapters(report) is { } used)
        {
            md.AppendLine();
            md.Append("Adapters: ").AppendLine(Escape(used));
        }

        return md.ToString();
    }

    /// <summary>Server messages and names end up in cells: a pipe would split the row, a newline end the table.</summary>
    private static string Escape(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("|", "\\|", StringComparison.Ordinal)
            .Replace("\r", " ", StringComparison.Ordinal)
            .Replace("\n", " ", StringComparison.Ordinal);
}
