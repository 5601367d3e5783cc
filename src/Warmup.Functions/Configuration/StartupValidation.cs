using Microsoft.Extensions.Configuration;
using Warmup.Core.Targets;

namespace Warmup.Functions.Configuration;

/// <summary>Everything wrong with the app's configuration, found once at start. Nothing here stops the app: good targets still run.</summary>
public sealed class StartupValidation
{
    public StartupValidation(ITargetCatalog catalog, IReadOnlyList<string> settingProblems, IConfiguration configuration)
    {
        var problems = new List<string>(catalog.Problems);
        problems.AddRange(settingProblems);
        foreach (var target in catalog.Targets)
        {
            if (target.Auth.ApiKeySetting is { } setting && string.IsNullOrWhiteSpace(configuration[setting]))
            {
                problems.Add($"target '{target.Name}': {TargetAuth.DescribeApiKeySetting(setting)} is not set; its warm-ups will fail to authenticate");
            }
        }
        if (catalog.Targets.Count == 0)
        {
            problems.Add($"no targets are configured: set the app setting {AppSettingNames.Targets} (a JSON array) or the '{TargetCatalog.SectionName}' section");
        }

        Problems = problems;
        TargetNames = catalog.Targets.Select(t => t.Name).ToArray();
    }

    public IReadOnlyList<string> Problems { get; }

    public IReadOnlyList<string> TargetNames { get; }
}
