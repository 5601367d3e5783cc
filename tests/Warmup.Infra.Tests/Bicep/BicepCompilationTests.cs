using System.Text.RegularExpressions;

namespace Warmup.Infra.Tests.Bicep;

/// <summary>
/// The templates compile, lint and evaluate with zero diagnostics. bicepconfig.json raises the core linter
/// rules to errors; compiler warnings (unknown property, unknown API version) only show in the output,
/// so the output itself must be empty.
/// </summary>
[Collection(InfraBuildCollection.Name)]
public sealed partial class BicepCompilationTests(InfraBuild infra)
{
    [Fact]
    public void MainTemplate_builds_with_no_diagnostics()
    {
        AssertClean(infra.Build);
        Assert.Equal("2.0", (string?)infra.CompiledTemplate["languageVersion"]);
    }

    [Fact]
    public void Lint_of_main_and_every_module_is_clean()
    {
        AssertClean(infra.Lint);
    }

    [Fact]
    public void Parameters_file_builds_with_azd_defaults()
    {
        AssertClean(infra.BuildParams);
        var parameters = infra.DefaultParameters["parameters"]!.AsObject();
        Assert.Equal("warmup-dev", (string?)parameters["environmentName"]!["value"]);
        Assert.Empty(parameters["targets"]!["value"]!.AsArray());
    }

    [Fact]
    public void Snapshot_evaluates_with_no_diagnostics()
    {
        AssertClean(infra.Snapshot);
        Assert.Empty(infra.SnapshotDocument["diagnostics"]!.AsArray());
        Assert.True(infra.PredictedResources.Count > 20, $"Only {infra.PredictedResources.Count} predicted resources.");
    }

    [Fact]
    public void Every_bicep_file_is_reached_from_main_so_lint_covers_it()
    {
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.Combine(RepoPaths.Infra, "main.bicep")]);
        while (pending.TryPop(out var file))
        {
            if (!reached.Add(Path.GetFullPath(file)))
            {
                continue;
            }

            foreach (Match reference in BicepFileReference().Matches(File.ReadAllText(file)))
            {
                pending.Push(Path.Combine(Path.GetDirectoryName(file)!, reference.Groups["path"].Value));
            }
        }

        var all = Directory.EnumerateFiles(RepoPaths.Infra, "*.bicep", SearchOption.AllDirectories).Select(Path.GetFullPath);
        Assert.Empty(all.Except(reached));
    }

    [Fact]
    public void Linter_configuration_makes_core_rules_errors()
    {
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Infra, "bicepconfig.json")))!;
        var rules = config["analyzers"]!["core"]!["rules"]!.AsObject();
        Assert.True(rules.Count >= 30, "bicepconfig.json should list the core rules explicitly.");
        Assert.All(rules, rule => Assert.Equal("error", (string?)rule.Value!["level"]));
    }

    private static void AssertClean(BicepResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(result.Diagnostics.Count == 0, result.ToString());
        Assert.True(string.IsNullOrWhiteSpace(result.StandardError), result.ToString());
    }

    // module x 'path.bicep' and import {...} from 'path.bicep'
    [GeneratedRegex(@"(?:module\s+\w+\s+|from\s+)'(?<path>[^']+\.bicep)'")]
    private static partial Regex BicepFileReference();
}
