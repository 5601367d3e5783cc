namespace Warmup.Core.Targets;

/// <summary>The configured, validated targets. Lookups are by name only: nothing resolves a caller-given URL.</summary>
public interface ITargetCatalog
{
    IReadOnlyList<WarmupTarget> Targets { get; }

    /// <summary>Configuration problems found at load time, one message per bad target; good targets still load.</summary>
    IReadOnlyList<string> Problems { get; }

    /// <summary>
    /// Targets that are configured under a name but failed validation: name → what is wrong (without the "target 'x':"
    /// prefix), so a caller naming one can be told why it cannot be used.
    /// </summary>
    IReadOnlyDictionary<string, string> InvalidTargets => EmptyInvalidTargets;

    private static readonly IReadOnlyDictionary<string, string> EmptyInvalidTargets = new Dictionary<string, string>();

    bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out WarmupTarget? target);
}
