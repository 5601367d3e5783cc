using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Warmup.Core.Targets;

namespace Warmup.Integration.Tests.Adaptive;

/// <summary>
/// Targets whose server can be replaced between runs: a redeployment of the same target (fresh process, same name),
/// which is what the shape map is for.
/// </summary>
internal sealed class SwappableTargetCatalog : ITargetCatalog
{
    private readonly ConcurrentDictionary<string, WarmupTarget> _targets = new(StringComparer.Ordinal);

    public IReadOnlyList<WarmupTarget> Targets => [.. _targets.Values];

    public IReadOnlyList<string> Problems { get; } = [];

    public void Set(WarmupTarget target) => _targets[target.Name] = target;

    public bool TryGet(string name, [NotNullWhen(true)] out WarmupTarget? target) => _targets.TryGetValue(name, out target);
}
