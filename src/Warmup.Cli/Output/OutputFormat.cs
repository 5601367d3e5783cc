namespace Warmup.Cli.Output;

/// <summary>--output: how the end-of-run report is printed on stdout.</summary>
internal enum OutputFormat
{
    /// <summary>Progress, then the table and verdict (plain, never-wrapping lines when stdout is not a terminal).</summary>
    Table,

    /// <summary>The JSON report alone on stdout; progress and notes go to stderr, so the output pipes into jq.</summary>
    Json,

    /// <summary>The summary as markdown on stdout, for pasting into a pull request or a wiki.</summary>
    Markdown,
}

internal static class OutputFormats
{
    public const string Names = "table | json | markdown";

    public static OutputFormat Parse(string value) => value.ToLowerInvariant() switch
    {
        "table" => OutputFormat.Table,
        "json" => OutputFormat.Json,
        "markdown" or "md" => OutputFormat.Markdown,
        _ => throw new UsageException($"--output '{value}' is unknown; use one of: {Names}"),
    };
}
