using Warmup.Core.Targets;

namespace Warmup.Cli.Targets;

/// <summary>`--target NAME --config FILE`: the same targets file the Functions app reads.</summary>
internal static class ConfigTargets
{
    public static async Task<(WarmupTarget Target, ITargetCatalog Catalog)> ResolveAsync(string path, string name, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"--config '{path}' does not exist");
        }

        ITargetCatalog catalog;
        try
        {
            catalog = TargetCatalog.LoadFile(path);
        }
        catch (Exception e) when (e is TargetConfigurationException or IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--config '{path}': {e.Message}");
        }

        if (!catalog.TryGet(name, out var target))
        {
            var problem = catalog.Problems.FirstOrDefault(p => p.Contains($"'{name}'", StringComparison.OrdinalIgnoreCase));
            throw new UsageException(problem is not null
                ? $"target '{name}' is misconfigured: {problem}"
                : $"target '{name}' is not in {path}; configured: {string.Join(", ", catalog.Targets.Select(t => t.Name))}");
        }

        await EndpointTargetOptions.EnsureResolvableAsync(target.BaseUrl, cancellationToken);
        return (target, catalog);
    }
}
