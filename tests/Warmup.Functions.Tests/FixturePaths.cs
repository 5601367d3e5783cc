using Warmup.TestFixtures;

namespace Warmup.Functions.Tests;

/// <summary>Event Grid payloads (the repository's own, and the published ones for conformance) and repository files.</summary>
internal static class FixturePaths
{
    public static string EventGrid(string file) => FixtureFolders.Existing(Path.Combine(FixtureFolders.Own, "eventgrid", file));

    public static string ReadEventGrid(string file) => File.ReadAllText(EventGrid(file));

    /// <summary>A published Event Grid sample from shared/fixtures; skips the test when that folder is absent.</summary>
    public static string ReadPublishedEventGrid(string file) =>
        File.ReadAllText(FixtureFolders.Existing(Path.Combine(FixtureFolders.RequirePublished(), "eventgrid", file)));

    public static string RepoRoot => FixtureFolders.RepoRoot;

    public static string RepoFile(string relative) => FixtureFolders.Existing(Path.Combine(RepoRoot, relative));
}
