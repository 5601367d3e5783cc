using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Warmup.Core.Dialects;

namespace Warmup.Core.Targets;

/// <summary>
/// An Azure ML target names the endpoint; the deployment is part of the run. A run for deployment <c>green</c> of target
/// <c>aml-phi</c> is addressed as <c>aml-phi@green</c>: that name is the run's target everywhere (singleton instance id,
/// report, telemetry, learned shapes), so blue and green never share a run or a result, and resolving it gives the
/// endpoint's target with <see cref="TargetAuth.AzureMlDeployment"/> set, which the dialect sends as azureml-model-deployment.
/// </summary>
public static partial class TargetDeployment
{
    public const char Separator = '@';

    /// <summary>Azure ML deployment names: a letter or digit, then letters, digits and '-' (at most 32).</summary>
    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9-]{0,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex DeploymentPattern();

    public static bool IsValidDeployment(string? deployment) => deployment is not null && DeploymentPattern().IsMatch(deployment);

    /// <summary>"aml-phi" + "green" = "aml-phi@green".</summary>
    public static string Compose(string target, string deployment) => $"{target}{Separator}{deployment}";

    /// <summary>Splits "aml-phi@green"; false when the name has no deployment part.</summary>
    public static bool TrySplit(string name, [NotNullWhen(true)] out string? target, [NotNullWhen(true)] out string? deployment)
    {
        ArgumentNullException.ThrowIfNull(name);
        var at = name.IndexOf(Separator, StringComparison.Ordinal);
        if (at <= 0 || at == name.Length - 1)
        {
            target = deployment = null;
            return false;
        }

        target = name[..at];
        deployment = name[(at + 1)..];
        return true;
    }

    /// <summary>
    /// Resolves "endpoint@deployment" against <paramref name="lookup"/>: only azureml targets have deployments, and only
    /// names Azure ML allows are accepted (the name goes into a header and an instance id).
    /// </summary>
    public static bool TryResolve(string name, Func<string, WarmupTarget?> lookup, [NotNullWhen(true)] out WarmupTarget? target)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        target = null;
        if (!TrySplit(name, out var endpoint, out var deployment) || !IsValidDeployment(deployment)
            || lookup(endpoint) is not { Dialect: DialectNames.AzureMl } found)
        {
            return false;
        }

        target = found with { Name = name, Auth = found.Auth with { AzureMlDeployment = deployment } };
        return true;
    }
}
