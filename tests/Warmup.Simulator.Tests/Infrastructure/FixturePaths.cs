using Warmup.TestFixtures;

namespace Warmup.Simulator.Tests.Infrastructure;

/// <summary>vLLM stream transcripts: the repository's own, and the published ones (conformance, may be absent).</summary>
internal static class FixturePaths
{
    public static string Transcript(string dialect, string file) => Path.Combine(FixtureFolders.Own, "transcripts", dialect, file);

    /// <summary>A published transcript from shared/fixtures; skips the test when that folder is absent.</summary>
    public static string PublishedTranscript(string dialect, string file) =>
        Path.Combine(FixtureFolders.RequirePublished(), "transcripts", dialect, file);
}
