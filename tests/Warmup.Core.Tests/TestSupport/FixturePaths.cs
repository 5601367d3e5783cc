using Warmup.TestFixtures;

namespace Warmup.Core.Tests.TestSupport;

/// <summary>Server transcripts: the repository's own (always there) and the published ones (conformance, may be absent).</summary>
public static class FixturePaths
{
    public static string Transcript(string server, string file) =>
        FixtureFolders.Existing(Path.Combine(FixtureFolders.Own, "transcripts", server, file));

    public static byte[] TranscriptBytes(string server, string file) => File.ReadAllBytes(Transcript(server, file));

    public static string TranscriptText(string server, string file) => File.ReadAllText(Transcript(server, file));

    /// <summary>A published transcript from shared/fixtures; skips the test when that folder is absent.</summary>
    public static string PublishedTranscript(string server, string file) =>
        FixtureFolders.Existing(Path.Combine(FixtureFolders.RequirePublished(), "transcripts", server, file));
}
