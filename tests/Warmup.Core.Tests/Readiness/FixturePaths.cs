namespace Warmup.Core.Tests.Readiness;

/// <summary>Finds shared/fixtures by walking up from the test binaries (the repo is cloned with shared/ beside it).</summary>
internal static class FixturePaths
{
    public static string Root { get; } = FindRoot();

    public static string Transcript(string server, string file) => Path.Combine(Root, "transcripts", server, file);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "fixtures");
            if (Directory.Exists(candidate))
                return candidate;
        }
        throw new DirectoryNotFoundException(
            $"No shared/fixtures folder above {AppContext.BaseDirectory}. Clone the shared repository next to this one (../shared).");
    }
}
