using System.Diagnostics.CodeAnalysis;
using Warmup.Core.Targets;

namespace Warmup.Cli.Targets;

/// <summary>The CLI's catalog: the one target built from the command line, or the targets of a config file.</summary>
internal sealed class StaticTargetCatalog(IReadOnlyList<WarmupTarget> targets, IReadOnlyList<string>? problems = null) : ITargetCatalog
{
    public IReadOnlyList<WarmupTarget> Targets => targets;

    public IReadOnlyList<string> Problems => problems ?? [];

    public bool TryGet(string name, [NotNullWhen(true)] out WarmupTarget? target)
    {
        target = targets.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));
        return target is not null;
    }
}
