namespace Warmup.Cli.Output;

/// <summary>
/// Hands the markdown summary to the CI system the run is in, so it shows on the job's page rather than only in its
/// log: GitHub Actions reads the file named by GITHUB_STEP_SUMMARY; Azure Pipelines uploads a file named in a
/// ##vso[task.uploadsummary] logging command.
/// </summary>
internal static class CiSummary
{
    /// <summary>Where the summary went ("GitHub step summary", a file path), or null outside CI.</summary>
    public static string? Publish(string markdown, Func<string, string?> environment, TextWriter stdout)
    {
        if (environment("GITHUB_STEP_SUMMARY") is { Length: > 0 } stepSummary)
        {
            File.AppendAllText(stepSummary, markdown + Environment.NewLine);
            return "GitHub step summary";
        }

        if (string.Equals(environment("TF_BUILD"), "True", StringComparison.OrdinalIgnoreCase))
        {
            var folder = environment("AGENT_TEMPDIRECTORY") is { Length: > 0 } temp ? temp : Path.GetTempPath();
            var path = Path.Combine(folder, $"warmup-summary-{Guid.NewGuid():n}.md");
            File.WriteAllText(path, markdown);
            // A logging command must be alone on its line of stdout for the agent to act on it.
            stdout.WriteLine($"##vso[task.uploadsummary]{path}");
            return path;
        }

        return null;
    }
}
