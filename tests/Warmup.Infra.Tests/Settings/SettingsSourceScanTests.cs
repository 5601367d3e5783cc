using System.Text.RegularExpressions;

namespace Warmup.Infra.Tests.Settings;

/// <summary>
/// The Functions code reads settings only through AppSettingNames, so the template test above covers
/// everything the app needs: a literal setting name in code (GetEnvironmentVariable("X"), config["X"],
/// GetValue("X"), a %X% binding expression, Connection = "X") must be one the template sets.
/// </summary>
public sealed partial class SettingsSourceScanTests
{
    // Host-level connection whose AzureWebJobsStorage__* identity settings the template sets.
    private const string HostStorageConnection = "AzureWebJobsStorage";

    [Fact]
    public void Functions_code_reads_no_setting_outside_AppSettingNames()
    {
        var allowed = AppSettingsTests.AppSettingNamesValues().Append(HostStorageConnection).ToHashSet(StringComparer.Ordinal);
        var sources = Directory.EnumerateFiles(RepoPaths.FunctionsSource, "*.cs", SearchOption.AllDirectories)
            .Where(path => !IsBuildOutput(path))
            .ToList();
        Assert.NotEmpty(sources);

        var strays = sources
            .SelectMany(path => FindSettingReads(File.ReadAllText(path)).Select(name => $"{Path.GetRelativePath(RepoPaths.Root, path)}: {name}"))
            .Where(found => !allowed.Contains(found[(found.LastIndexOf(": ", StringComparison.Ordinal) + 2)..]))
            .ToList();

        Assert.True(strays.Count == 0,
            "Settings read in code but not declared in AppSettingNames (so infra would not set them):\n" + string.Join('\n', strays));
    }

    [Fact]
    public void Scanner_finds_every_kind_of_setting_read()
    {
        const string code = """
            var a = Environment.GetEnvironmentVariable("ONE");
            var b = configuration["TWO"];
            var c = config.GetValue<int>("THREE");
            [TimerTrigger("%FOUR%")] TimerInfo t,
            [QueueTrigger("%FIVE%", Connection = "SIX")] string m,
            var d = Environment.GetEnvironmentVariable(AppSettingNames.Targets);
            var e = request.Headers["Authorization"];
            string[] f = ["literal"];
            """;

        Assert.Equal(["ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX"], FindSettingReads(code));
    }

    internal static IEnumerable<string> FindSettingReads(string code) =>
        SettingRead().Matches(code).Select(m => m.Groups["name"].Value).Distinct(StringComparer.Ordinal);

    private static bool IsBuildOutput(string path)
    {
        var relative = Path.GetRelativePath(RepoPaths.FunctionsSource, path).Replace('\\', '/');
        return relative.StartsWith("bin/", StringComparison.Ordinal) || relative.StartsWith("obj/", StringComparison.Ordinal);
    }

    [GeneratedRegex("""
        GetEnvironmentVariable\(\s*"(?<name>[^"]+)"
        | (?i:configuration|config|settings)\s*\[\s*"(?<name>[^"]+)"\s*\]
        | (?:GetValue(?:<[^>]+>)?|GetSection|GetConnectionString|GetRequiredSection)\(\s*"(?<name>[^"]+)"
        | "%(?<name>[A-Za-z0-9_:.\-]+)%"
        | Connection\s*=\s*"(?<name>[^"]+)"
        """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex SettingRead();
}
