using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Warmup.Core.Targets;

namespace Warmup.Functions.Events;

/// <summary>What a deployment event means: the configured targets it warms, or why it is ignored.</summary>
public sealed record EventMatch(DeploymentEvent Event, IReadOnlyList<WarmupTarget> Targets, string? IgnoredReason, string Detail)
{
    public bool IsIgnored => IgnoredReason is not null;
}

/// <summary>
/// Maps an event to targets: ARM ResourceWriteSuccess/ResourceActionSuccess and Azure ML ModelDeployed by resource id
/// (prefix at a path boundary, or regex), ACR ImagePushed by repository, and the custom warmup.deployment.completed
/// event by the configured target name it carries. An event never supplies an address.
/// </summary>
public sealed class DeploymentEventMatcher(ITargetCatalog catalog)
{
    private readonly ConcurrentDictionary<string, Regex> _patterns = new(StringComparer.Ordinal);

    public EventMatch Match(DeploymentEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);

        if (string.Equals(e.Type, DeploymentEventTypes.WarmupDeploymentCompleted, StringComparison.Ordinal))
        {
            return MatchNamed(e);
        }

        if (!DeploymentEventTypes.RuleMatched.Contains(e.Type, StringComparer.OrdinalIgnoreCase))
        {
            return Ignored(e, IgnoreReasons.UnsupportedType, $"event type '{e.Type}' does not signal a deployment");
        }

        if (string.Equals(e.Type, DeploymentEventTypes.ResourceActionSuccess, StringComparison.OrdinalIgnoreCase) && IsReadOnlyAction(e.OperationName))
        {
            return Ignored(e, IgnoreReasons.ReadOnlyAction, $"operation '{e.OperationName}' only reads; it does not change replicas");
        }

        var matched = catalog.Targets.Where(t => t.EventRules.Any(r => RuleMatches(r, e))).ToArray();
        if (matched.Length == 0)
        {
            return Ignored(e, IgnoreReasons.NoMatchingTarget, $"no target rule matches {Describe(e)}");
        }
        // Azure ML: a deployment write warms that deployment (target@deployment); an endpoint write (traffic shift) nothing.
        var resolved = matched.Select(t => AzureMlDeploymentEvents.Resolve(t, e, catalog)).ToArray();
        var targets = resolved.Where(r => r.Run is not null).Select(r => r.Run!).ToArray();
        if (targets.Length == 0)
        {
            return Ignored(e, IgnoreReasons.EndpointWrite, resolved.First(r => r.SkipDetail is not null).SkipDetail!);
        }

        return new EventMatch(e, targets, null, $"matches {string.Join(", ", targets.Select(t => t.Name))}");
    }

    private EventMatch MatchNamed(DeploymentEvent e)
    {
        if (string.IsNullOrWhiteSpace(e.NamedTarget))
        {
            return Ignored(e, IgnoreReasons.MissingTargetName, "data.target (a configured target name) is missing");
        }

        if (!catalog.TryGet(e.NamedTarget, out var target))
        {
            return Ignored(e, IgnoreReasons.UnknownTarget, $"no configured target is named '{EchoedInput.Truncate(e.NamedTarget)}'");
        }

        return new EventMatch(e, [target], null, $"names {target.Name}");
    }

    private bool RuleMatches(EventMatchRule rule, DeploymentEvent e)
    {
        if (rule.EventTypes.Count > 0 && !rule.EventTypes.Contains(e.Type, StringComparer.OrdinalIgnoreCase))
        {
            return false;
        }

        if (rule.ResourceIdPrefix is { } prefix && !HasPrefix(e.ResourceId, prefix))
        {
            return false;
        }

        if (rule.ResourceIdPattern is { } pattern && !PatternMatches(pattern, e.ResourceId))
        {
            return false;
        }

        if (rule.Repository is { } repository && !string.Equals(repository, e.Repository, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return true;
    }

    // ".../onlineEndpoints/my-ep" must not match ".../onlineEndpoints/my-ep2": the prefix ends at a path boundary.
    internal static bool HasPrefix(string? resourceId, string prefix)
    {
        if (resourceId is null)
        {
            return false;
        }

        var trimmed = prefix.TrimEnd('/');
        if (!resourceId.StartsWith(trimmed, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return resourceId.Length == trimmed.Length || resourceId[trimmed.Length] == '/';
    }

    private bool PatternMatches(string pattern, string? resourceId)
    {
        if (resourceId is null)
        {
            return false;
        }

        var regex = _patterns.GetOrAdd(pattern, p => new Regex(p, EventRuleRegex.Options, EventRuleRegex.Timeout));
        try
        {
            return regex.IsMatch(resourceId);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    // listKeys, listSecrets, getKeys ...: reading credentials is not a rollout.
    internal static bool IsReadOnlyAction(string? operationName)
    {
        if (string.IsNullOrEmpty(operationName))
        {
            return false;
        }

        var parts = operationName.Split('/');
        if (parts.Length < 2 || !string.Equals(parts[^1], "action", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var verb = parts[^2];
        return verb.StartsWith("list", StringComparison.OrdinalIgnoreCase) || verb.StartsWith("get", StringComparison.OrdinalIgnoreCase);
    }

    private static EventMatch Ignored(DeploymentEvent e, string reason, string detail) => new(e, [], reason, detail);

    private static string Describe(DeploymentEvent e) =>
        e.Repository is not null ? $"repository '{e.Repository}' ({e.ResourceId})" : $"resource '{e.ResourceId ?? e.Subject ?? "(none)"}'";

}
