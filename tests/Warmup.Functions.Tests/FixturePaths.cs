namespace Warmup.Functions.Tests;

/// <summary>Finds shared/fixtures (a sibling of the repository root) and the repository root, walking up from the test binaries.</summary>
internal static class FixturePaths
{
    private static readonly Lazy<string> Fixtures = new(() => FindUp(dir => Path.Combine(dir, "shared", "fixtures"), Directory.Exists)
        ?? throw new DirectoryNotFoundException($"No 'shared/fixtures' folder above {AppContext.BaseDirectory}; clone the shared folder next to the repository (../shared)."));

    private static readonly Lazy<string> Repo = new(() => FindUp(dir => Path.Combine(dir, "Functions.sln"), File.Exists) is { } sln
        ? Path.GetDirectoryName(sln)!
        : throw new DirectoryNotFoundException($"No Functions.sln above {AppContext.BaseDirectory}"));

    public static string EventGrid(string file) => Existing(Path.Combine(Fixtures.Value, "eventgrid", file));

    public static string ReadEventGrid(string file) => File.ReadAllText(EventGrid(file));

    public static string RepoRoot => Repo.Value;

    public static string RepoFile(string relative) => Existing(Path.Combine(Repo.Value, relative));

    private static string Existing(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"Fixture '{path}' does not exist", path);

    private static string? FindUp(Func<string, string> candidate, Func<string, bool> exists)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string path = candidate(dir.FullName);
            if (exists(path))
                return path;
        }
        return null;
    }
}
