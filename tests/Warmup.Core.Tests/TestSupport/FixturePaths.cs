namespace Warmup.Core.Tests.TestSupport;

/// <summary>Finds <c>shared/fixtures</c>, which sits beside the repository root (locally and in CI).</summary>
public static class FixturePaths
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string FixturesRoot => Root.Value;

    public static string Transcript(string server, string file) => Existing(Path.Combine(FixturesRoot, "transcripts", server, file));

    public static byte[] TranscriptBytes(string server, string file) => File.ReadAllBytes(Transcript(server, file));

    public static string TranscriptText(string server, string file) => File.ReadAllText(Transcript(server, file));

    private static string Existing(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"Fixture not found: {path}", path);

    private static string FindRoot()
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
            $"No 'shared/fixtures' folder above {AppContext.BaseDirectory}. Clone the shared folder next to the repository root (<root>/main and <root>/shared).");
    }
}
