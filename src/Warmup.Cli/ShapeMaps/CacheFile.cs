using System.Text.Json;
using Warmup.Core.Reporting;

namespace Warmup.Cli.ShapeMaps;

/// <summary>
/// The CLI's cache files (shape maps, users' traffic): JSON in the report's format. The cache is only ever a head start,
/// so a file that is missing or cannot be read is no file, and a write goes to a temporary file first and is then
/// moved over the old one, so a run stopped halfway never leaves half a file.
/// </summary>
internal static class CacheFile
{
    public static async Task<T?> ReadAsync<T>(string path, CancellationToken cancellationToken)
        where T : class
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            await using var stream = File.OpenRead(path);
            return await JsonSerializer.DeserializeAsync<T>(stream, ReportJson.Options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }

    public static async Task WriteAsync<T>(string path, T value, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(value, ReportJson.Options), cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }
}
