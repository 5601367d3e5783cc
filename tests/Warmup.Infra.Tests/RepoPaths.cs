namespace Warmup.Infra.Tests;

/// <summary>Finds the repository root (the folder holding Functions.sln and infra/) above the test binaries.</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> _root = new(FindRoot);

    public static string Root => _root.Value;

    public static string Infra => Path.Combine(Root, "infra");

    public static string FunctionsSource => Path.Combine(Root, "src", "Warmup.Functions");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Functions.sln")) &&
                File.Exists(Path.Combine(dir.FullName, "infra", "main.bicep")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException(
            $"No folder with Functions.sln and infra/main.bicep above {AppContext.BaseDirectory}.");
    }
}
