namespace Warmup.Infra.Tests;

/// <summary>azure.yaml wires `azd up` to infra/main.bicep and the Functions project.</summary>
public sealed class AzureYamlTests
{
    private static readonly string[] _lines = File.ReadAllLines(Path.Combine(RepoPaths.Root, "azure.yaml"));

    [Fact]
    public void Api_service_is_the_Functions_project_hosted_as_a_function_app()
    {
        var service = Section("services:").SkipWhile(l => l.Trim() != "api:").Skip(1).TakeWhile(l => l.StartsWith("    ", StringComparison.Ordinal)).ToList();
        Assert.Contains("    project: ./src/Warmup.Functions/", service);
        Assert.Contains("    language: dotnet", service);
        Assert.Contains("    host: function", service);
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, "src", "Warmup.Functions", "Warmup.Functions.csproj")));
    }

    [Fact]
    public void Infra_points_at_main_bicep()
    {
        var infra = Section("infra:").ToList();
        Assert.Contains("  provider: bicep", infra);
        Assert.Contains("  path: infra", infra);
        Assert.Contains("  module: main", infra);
        Assert.True(File.Exists(Path.Combine(RepoPaths.Infra, "main.bicep")));
        Assert.True(File.Exists(Path.Combine(RepoPaths.Infra, "main.bicepparam")));
    }

    private static IEnumerable<string> Section(string header) =>
        _lines.SkipWhile(l => l != header).Skip(1).TakeWhile(l => l.StartsWith(' ') || l.Length == 0);
}
