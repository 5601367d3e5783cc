using System.Text.Json;

namespace Warmup.Cli.Tests;

/// <summary>`warmup demo` end to end on a time-scaled simulator: cold request, warm-up, warm request, files.</summary>
public sealed class DemoCommandTests
{
    [Fact]
    public async Task Demo_shows_cold_then_warm_and_writes_report_and_chart()
    {
        var outDir = Path.Combine(Path.GetTempPath(), $"demo-{Guid.NewGuid():n}");
        try
        {
            var result = await CliRunner.RunAsync("demo", "--time-scale", "0.05", "--out", outDir);

            Assert.True(result.ExitCode is ExitCodes.Warm or ExitCodes.NotWarm, $"exit {result.ExitCode}: {result.Error}\n{result.Output}");
            Assert.Contains("first request", result.Output);
            var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outDir, "report.json"))).RootElement;
            Assert.Equal("full", report.GetProperty("plan").GetString());
            Assert.True(report.GetProperty("steps").GetArrayLength() > 3);
            var chart = await File.ReadAllTextAsync(Path.Combine(outDir, "ttft-cold-vs-warm.html"));
            Assert.Contains("<svg", chart);
            Assert.Contains("first user request", chart);
            Assert.DoesNotContain("<script", chart);
        }
        finally
        {
            if (Directory.Exists(outDir))
            {
                Directory.Delete(outDir, recursive: true);
            }
        }
    }
}
