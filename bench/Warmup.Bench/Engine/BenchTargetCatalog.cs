using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Warmup.Core.Targets;

namespace Warmup.Bench.Engine;

/// <summary>Targets added while the benchmark runs: every fresh simulator gets its own port and so its own target.</summary>
internal sealed class BenchTargetCatalog : ITargetCatalog
{
    private readonly ConcurrentDictionary<string, WarmupTarget> _targets = new(StringComparer.Ordinal);

    public IReadOnlyList<WarmupTarget> Targets => [.. _targets.Values];

    public IReadOnlyList<string> Problems { get; } = [];

    public void Add(WarmupTarget target) => _targets[target.Name] = target;

    public bool TryGet(string name, [NotNullWhen(true)] out WarmupTarget? target) => _targets.TryGetValue(name, out target);
}
