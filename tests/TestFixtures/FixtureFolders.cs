namespace Warmup.TestFixtures;

/// <summary>
/// Where the tests' fixtures are. <see cref="Own"/> is the repository's own <c>tests/fixtures</c> (written by us from
/// the published formats), always there. <see cref="Published"/> is the project's <c>shared/fixtures</c> folder beside
/// the repository (captured and published examples): a user's clone has none, so conformance tests against it call
/// <see cref="RequirePublished"/> and are reported as skipped, with the reason, when it is absent.
/// Linked into every test project that reads fixtures.
/// </summary>
internal static class FixtureFolders
{
    private static readonly Lazy<string> Repo = new(() => FindUp(dir => File.Exists(Path.Combine(dir, "Functions.sln")))
        ?? throw new DirectoryNotFoundException($"No Functions.sln above {AppContext.BaseDirectory}"));

    private static readonly Lazy<string?> Shared = new(() =>
        FindUp(dir => Directory.Exists(Path.Combine(dir, "shared", "fixtures"))) is { } parent ? Path.Combine(parent, "shared", "fixtures") : null);

    public static string RepoRoot => Repo.Value;

    public static string Own => Path.Combine(RepoRoot, "tests", "fixtures");

    public static string? Published => Shared.Value;

    /// <summary>The published fixtures folder; skips the calling [SkippableFact]/[SkippableTheory] when there is none.</summary>
    public static string RequirePublished()
    {
        Skip.If(Published is null, "no 'shared/fixtures' folder beside the repository: published-example conformance is checked only where it is present");
        return Published!;
    }

    public static string Existing(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"Fixture '{path}' does not exist", path);

    private static string? FindUp(Func<string, bool> holds)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (holds(dir.FullName))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
