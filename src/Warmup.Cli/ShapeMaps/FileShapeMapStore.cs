using System.Security.Cryptography;
using System.Text;
using Warmup.Core.ShapeMaps;
using Warmup.Core.Targets;

namespace Warmup.Cli.ShapeMaps;

/// <summary>
/// The CLI's shape maps: one JSON file per target under the user's cache folder (<see cref="DefaultFolder"/>), named
/// after the target and a hash of its base URL, so two ad-hoc <c>--endpoint</c> runs against different servers never
/// share a map. A file that cannot be read is treated as no map (and replaced on the next save): the map is a cache.
/// </summary>
internal sealed class FileShapeMapStore(string folder, ITargetCatalog catalog) : IShapeMapStore
{
    public string Folder { get; } = folder;

    /// <summary>$XDG_CACHE_HOME/warmup/shape-maps, else ~/.cache/... on Linux, ~/Library/Caches/... on macOS, %LOCALAPPDATA%\... on Windows.</summary>
    public static string DefaultFolder()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string root;
        if (!string.IsNullOrWhiteSpace(xdg))
        {
            root = xdg;
        }
        else if (OperatingSystem.IsWindows())
        {
            root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        }
        else
        {
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            root = OperatingSystem.IsMacOS() ? Path.Combine(home, "Library", "Caches") : Path.Combine(home, ".cache");
        }

        return Path.Combine(root, "warmup", "shape-maps");
    }

    /// <summary>The file that holds (or will hold) the map of <paramref name="target"/>.</summary>
    public string PathFor(string target) => PathFor(target, ".json");

    /// <summary>A file of <paramref name="target"/> in this folder, named like its map but with <paramref name="extension"/>.</summary>
    public string PathFor(string target, string extension)
    {
        var baseUrl = catalog.TryGet(target, out var configured) ? configured.BaseUrl.AbsoluteUri : string.Empty;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{target}\n{baseUrl}")))[..12];
        var safe = new string(target.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
        return Path.Combine(Folder, $"{safe}-{hash}{extension}");
    }

    public Task<ShapeMap?> GetAsync(string target, CancellationToken cancellationToken)
        => CacheFile.ReadAsync<ShapeMap>(PathFor(target), cancellationToken);

    public Task SaveAsync(ShapeMap map, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(map);
        return CacheFile.WriteAsync(PathFor(map.Target), map, cancellationToken);
    }

    public Task DeleteAsync(string target, CancellationToken cancellationToken)
    {
        File.Delete(PathFor(target));
        return Task.CompletedTask;
    }
}
