namespace Warmup.Core.Targets;

/// <summary>The configured, validated targets. Lookups are by name only: nothing resolves a caller-given URL.</summary>
public interface ITargetCatalog
{
    IReadOnlyList<WarmupTarget> Targets { get; }

    /// <summary>Configuration problems found at load time, one message per bad target; good targets still load.</summary>
    IReadOnlyList<string> Problems { get; }

    bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out WarmupTarget? target);
}
