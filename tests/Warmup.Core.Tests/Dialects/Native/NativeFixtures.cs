namespace Warmup.Core.Tests.Dialects.Native;

/// <summary>The repository's own fixtures (written by Warmup from the published formats; see Fixtures/README.md).</summary>
internal static class NativeFixtures
{
    public static byte[] Bytes(string file) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Dialects", "Native", "Fixtures", file));
}
