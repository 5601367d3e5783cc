using Warmup.Core.Targets;

namespace Warmup.Core.Orchestration;

/// <summary>A warm-up named a target that is not configured. Bad input: never retried.</summary>
public sealed class UnknownTargetException(string target, IReadOnlyList<string> known)
    : ArgumentException($"unknown target '{target}'; configured targets: {(known.Count == 0 ? "none" : string.Join(", ", known))}")
{
    public string Target { get; } = target;
}

public static class TargetCatalogExtensions
{
    /// <exception cref="UnknownTargetException">No target of that name is configured.</exception>
    public static WarmupTarget Require(this ITargetCatalog catalog, string name)
        => catalog.TryGet(name, out var target)
            || TargetDeployment.TryResolve(name, n => catalog.TryGet(n, out var t) ? t : null, out target)
            ? target
            : throw new UnknownTargetException(name, catalog.Targets.Select(t => t.Name).ToList());
}
