using Warmup.Core.Targets;

namespace Warmup.Integration.Tests.Orchestration;

internal sealed class InMemoryTargetCatalog(params WarmupTarget[] targets) : ITargetCatalog
{
    public IReadOnlyList<WarmupTarget> Targets { get; } = targets;

    public IReadOnlyList<string> Problems { get; } = [];

    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out WarmupTarget? target)
    {
        target = Targets.FirstOrDefault(t => t.Name == name);
        return target is not null;
    }
}
