namespace Warmup.Simulator.Tests.Infrastructure;

/// <summary>Finds shared/fixtures by walking up from the test binaries (the repo is cloned next to ../shared).</summary>
internal static class FixturePaths
{
    public static string Root { get; } = Find();

    public static string Transcript(string dialect, string file) => Path.Combine(Root, "transcripts", dialect, file);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "fixtures");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException(
            $"no 'shared/fixtures' folder found above {AppContext.BaseDirectory}; clone the shared folder next to the repository root");
    }
}
