namespace Warmup.Cli.Output;

/// <summary>
/// The local report is the one result that must never be lost: a --json path that cannot be written is refused before
/// any traffic is sent, not discovered after a fifteen-minute warm-up.
/// </summary>
internal static class JsonReportPath
{
    public static void EnsureWritable(string path)
    {
        try
        {
            var isFile = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !Directory.Exists(path);
            var folder = isFile ? Path.GetDirectoryName(Path.GetFullPath(path))! : Path.GetFullPath(path);
            Directory.CreateDirectory(folder);
            var check = Path.Combine(folder, $".warmup-write-check-{Guid.NewGuid():n}");
            File.WriteAllText(check, string.Empty);
            File.Delete(check);
            if (isFile && File.Exists(path))
            {
                using var existing = File.Open(path, FileMode.Open, FileAccess.Write);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new UsageException($"--json '{path}' cannot be written: {e.Message}");
        }
    }
}
