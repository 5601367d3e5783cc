using System.Globalization;

namespace Warmup.Core.Reporting;

/// <summary>
/// The CLI's local report: writes each run's report as JSON. Given a file path (ending in .json) it writes that file;
/// given a folder it writes <c>warmup-{target}-{finishedAt:yyyyMMddTHHmmssZ}.json</c> in it.
/// </summary>
public sealed class JsonFileResultSink(string path) : IWarmupResultSink
{
    /// <summary>Where the last report went, for the CLI to print.</summary>
    public string? LastWrittenPath { get; private set; }

    public async Task RecordAsync(WarmupReport report, CancellationToken cancellationToken)
    {
        var file = PathFor(report);
        await ReportJson.WriteAsync(report, file, cancellationToken).ConfigureAwait(false);
        LastWrittenPath = file;
    }

    public string PathFor(WarmupReport report)
    {
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !Directory.Exists(path))
        {
            return Path.GetFullPath(path);
        }

        var stamp = report.FinishedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        return Path.Combine(Path.GetFullPath(path), $"warmup-{Sanitize(report.Target)}-{stamp}.json");
    }

    private static string Sanitize(string name)
    {
        var invalid = Path.GetInvalidFileNameChars();
        return new string(name.Select(c => invalid.Contains(c) ? '_' : c).ToArray());
    }
}
