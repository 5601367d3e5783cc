using System.Globalization;
using System.Text.RegularExpressions;

namespace Warmup.Core.Orchestration;

/// <summary>
/// Run ids: <c>warmup-{target}-{yyyyMMddTHHmmssZ}-{8 hex}</c>, the instance id of one run (one
/// <see cref="WarmupOrchestrator"/> sub-orchestration). The UTC start time makes a target's runs sort by time as plain
/// strings; the suffix, from <c>context.NewGuid()</c> (deterministic on replay), keeps two runs started in the same
/// second apart. The prefix is the target's own orchestration id (<see cref="TaskNames.InstanceIdFor"/>), so a run id
/// says which target it belongs to.
/// </summary>
public static partial class RunIds
{
    public static string For(string target, DateTimeOffset startedAt, Guid unique) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{TaskNames.InstanceIdFor(target)}-{startedAt.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{unique.ToString("N")[..8]}");

    /// <summary>Whether <paramref name="runId"/> is a run id of <paramref name="target"/> (and nothing else: no other target, no free text).</summary>
    public static bool BelongsTo(string? runId, string target)
    {
        var prefix = TaskNames.InstanceIdFor(target) + "-";
        return runId is not null
               && runId.StartsWith(prefix, StringComparison.Ordinal)
               && Suffix().IsMatch(runId.AsSpan(prefix.Length));
    }

    [GeneratedRegex(@"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$", RegexOptions.CultureInvariant)]
    private static partial Regex Suffix();
}
