using System.Text.Json;
using Warmup.Cli.Commands;
using Warmup.Core.Planning;
using Warmup.Core.Targets;
using Warmup.Simulator;

namespace Warmup.Cli.Tests;

/// <summary>`warmup demo` end to end on a time-scaled simulator: cold request, warm-up, warm request, files.</summary>
public sealed class DemoCommandTests
{
    [Fact]
    public async Task Demo_warms_every_shape_the_first_user_needs_and_writes_report_and_chart()
    {
        var outDir = Path.Combine(Path.GetTempPath(), $"demo-{Guid.NewGuid():n}");
        try
        {
            var result = await CliRunner.RunAsync("demo", "--time-scale", "0.05", "--out", outDir);

            var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outDir, "report.json"))).RootElement;
            Assert.Equal("full", report.GetProperty("plan").GetString());

            // The exit code is the report's verdict, whichever it is: the verdict's timing-noise false alarms belong to
            // the verdict's own tests, so this one asserts the mapping and the simulator's ground truth instead.
            var outcome = report.GetProperty("outcome").GetString();
            Assert.Equal(outcome == "warm" ? ExitCodes.Warm : ExitCodes.NotWarm, result.ExitCode);

            // The plan is the default full plan for the server's reported context window: nothing of the simulator's
            // own shapes was fed to it.
            var expected = FullPlan.Build(
                new WarmupTarget { Name = "demo", BaseUrl = new Uri("http://127.0.0.1/"), Model = SimulatorProfile.Default.Model },
                SimulatorProfile.Default.MaxModelLen).Steps;
            var sent = report.GetProperty("steps").EnumerateArray()
                .Select(s => s.GetProperty("step"))
                .Select(s => new PlanStep(s.GetProperty("promptTokens").GetInt32(), s.GetProperty("maxOutputTokens").GetInt32(), s.GetProperty("concurrency").GetInt32()))
                .ToList();
            Assert.Equal(expected, sent);

            // Ground truth from the simulator: the cold user paid a prefill compile, the user after the warm-up paid
            // no compile and no graph capture (the defaults cover the default profile's shapes).
            var charged = result.Output.Split('\n').Where(l => l.Contains(DemoCommand.PenaltiesLabel, StringComparison.Ordinal)).ToList();
            Assert.Equal(2, charged.Count);
            Assert.Contains("jit:", charged[0], StringComparison.Ordinal);
            Assert.DoesNotContain("jit:", charged[1], StringComparison.Ordinal);
            Assert.DoesNotContain("graph:", charged[1], StringComparison.Ordinal);

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
