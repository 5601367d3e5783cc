using System.Text.Json;
using Warmup.TestFixtures;

namespace Warmup.Functions.Tests.Build;

/// <summary>
/// The Functions app and the WorkerExtensions project the Functions SDK generates for it (both built before these tests,
/// which reference the app) restore exactly the versions they ask for: no NU1603 ("not found, the next version was
/// resolved instead"). Read from NuGet's own restore record, project.assets.json, of this build's configuration.
/// </summary>
public sealed class WorkerExtensionsRestoreTests
{
    private static readonly string FunctionsObj = Path.Combine(FixtureFolders.RepoRoot, "src", "Warmup.Functions", "obj");

    // bin/<Configuration>/net10.0/ of this test project
    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    [Fact]
    public void The_generated_worker_extensions_project_restores_without_NU1603()
    {
        var generated = Directory.GetDirectories(Path.Combine(FunctionsObj, Configuration), "WorkerExtensions", SearchOption.AllDirectories);
        var folder = Assert.Single(generated);

        Assert.True(File.Exists(Path.Combine(folder, "WorkerExtensions.csproj.user")), "the version pins were not copied beside the generated project");
        Assert.Empty(RestoreWarnings(Path.Combine(folder, "obj", "project.assets.json"), "NU1603"));
    }

    [Fact]
    public void The_functions_app_restores_without_NU1603() =>
        Assert.Empty(RestoreWarnings(Path.Combine(FunctionsObj, "project.assets.json"), "NU1603"));

    private static List<string> RestoreWarnings(string assets, string code)
    {
        Assert.True(File.Exists(assets), $"{assets} is missing: the project was not restored");
        using var json = JsonDocument.Parse(File.ReadAllText(assets));
        return json.RootElement.TryGetProperty("logs", out var logs)
            ? logs.EnumerateArray()
                .Where(log => log.GetProperty("code").GetString() == code)
                .Select(log => log.GetProperty("message").GetString() ?? code)
                .ToList()
            : [];
    }
}
