using System.Text.RegularExpressions;
using Warmup.Core.Dialects;
using Warmup.Core.Targets;

namespace Warmup.Functions.Events;

/// <summary>
/// Azure ML managed online endpoints emit no ML-specific event; a rollout shows as ARM writes. A write on
/// <c>.../onlineEndpoints/{endpoint}/deployments/{deployment}</c> (a new or updated deployment, usually at 0 % traffic)
/// warms exactly that deployment: the run is <c>target@deployment</c>. A write on the endpoint itself is a traffic
/// shift (or a tag change): it warms nothing, since the deployments behind it were warmed when they were written.
/// </summary>
public static partial class AzureMlDeploymentEvents
{
    [GeneratedRegex("/onlineEndpoints/(?<endpoint>[^/]+)(?:/deployments/(?<deployment>[^/]+))?/?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OnlineEndpointResource();

    /// <summary>What the event means for one matched target: the run to start, or null and why not.</summary>
    public static (WarmupTarget? Run, string? SkipDetail) Resolve(WarmupTarget target, DeploymentEvent e, ITargetCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(catalog);
        if (target.Dialect != DialectNames.AzureMl || e.ResourceId is null || OnlineEndpointResource().Match(e.ResourceId) is not { Success: true } match)
        {
            return (target, null);
        }

        if (!match.Groups["deployment"].Success)
        {
            return (null, $"a write to online endpoint '{match.Groups["endpoint"].Value}' itself (a traffic shift) warms nothing; " +
                          "its deployments are warmed when they are written");
        }

        var deployment = match.Groups["deployment"].Value;
        return catalog.TryGet(TargetDeployment.Compose(target.Name, deployment), out var run)
            ? (run, null)
            : (null, $"deployment name '{EchoedInput.Truncate(deployment)}' is not a valid Azure ML deployment name");
    }
}
