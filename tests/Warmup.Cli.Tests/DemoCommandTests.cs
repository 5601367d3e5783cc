using System.Text.Json;
using Warmup.Cli.Commands;
using Warmup.Core.Planning;

namespace Warmup.Cli.Tests;

/// <summary>`warmup demo` end to end on a time-scaled simulator: cold request, warm-up, the next users, files.</summary>
public sealed class DemoCommandTests
{
    [Fact]
    public async Task The_default_plan_warms_the_next_users_shape_and_writes_report_chart_and_svg()
    {
        var outDir = Path.Combine(Path.GetTempPath(), $"demo-{Guid.NewGuid():n}");
        try
        {
            var result = await CliRunner.RunAsync("demo", "--time-scale", "0.05", "--out", outDir);

            var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outDir, "report.json"))).RootElement;
            Assert.Equal(PlanPresets.Default, report.GetProperty("plan").GetString());
            Assert.True(report.GetProperty("steps").GetArrayLength() > 3);
            Assert.True(report.GetProperty("steps")[0].GetProperty("requestTtftMs").GetArrayLength() > 0);

            // The exit code is the report's verdict: the mapping is asserted here, the verdict's accuracy in its own tests.
            Assert.Equal(report.GetProperty("outcome").GetString() == "warm" ? ExitCodes.Warm : ExitCodes.NotWarm, result.ExitCode);

            // Ground truth from the simulator: the cold user paid a prefill compile; the next users, on a shape only the
            // plan can have warmed (a concurrent burst), met no cold penalty.
            var charged = Assert.Single(result.Output.Split('\n'), l => l.Contains(DemoCommand.PenaltiesLabel, StringComparison.Ordinal));
            Assert.Contains("jit:", charged, StringComparison.Ordinal);
            Assert.Contains("4. The next users: 8 users at once with 2,048-token prompts", result.Output);
            Assert.True(result.Output.Contains("warm, the plan had prepared it", StringComparison.Ordinal), result.Output);
            var chart = await File.ReadAllTextAsync(Path.Combine(outDir, "ttft-cold-vs-warm.html"));
            Assert.Contains("<svg", chart);
            Assert.Contains("TTFT per verified prompt length", chart);
            Assert.DoesNotContain("<script", chart);
            var svg = System.Xml.Linq.XDocument.Load(Path.Combine(outDir, "ttft-cold-vs-warm.svg"));
            Assert.Equal("svg", svg.Root!.Name.LocalName);
        }
        finally
        {
            if (Directory.Exists(outDir))
            {
                Directory.Delete(outDir, recursive: true);
            }
        }
    }

    [Fact]
    public async Task The_seed_plan_visibly_leaves_the_next_users_cold()
    {
        var outDir = Path.Combine(Path.GetTempPath(), $"demo-{Guid.NewGuid():n}");
        try
        {
            var result = await CliRunner.RunAsync("demo", "--time-scale", "0.05", "--out", outDir, "--plan", "seed");

            var line = Assert.Single(result.Output.Split('\n'), l => l.Contains("slowest first token", StringComparison.Ordinal));
            Assert.Contains("still cold", line);
            Assert.Contains("the server paid", line);
        }
        finally
        {
            if (Directory.Exists(outDir))
            {
                Directory.Delete(outDir, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Compare_puts_the_plans_side_by_side_with_the_penalties_a_user_mix_still_met()
    {
        var result = await CliRunner.RunAsync("demo", "--time-scale", "0.05", "--compare");

        Assert.Equal(ExitCodes.Warm, result.ExitCode);
        var rows = result.Output.Split('\n').Where(l => l.StartsWith('│')).Select(l => l.Split('│').Select(c => c.Trim()).ToArray()).ToList();
        var byPlan = rows.Skip(1).ToDictionary(r => r[1], r => r);
        Assert.Equal(["light", "seed", "full", PlanPresets.Default], byPlan.Keys);
        Assert.Equal("cold penalties the users met", rows[0][3]);
        Assert.NotEqual("0", byPlan["light"][3]);
        Assert.NotEqual("0", byPlan["seed"][3]);
        Assert.Equal("0", byPlan[PlanPresets.Default][3]);
        Assert.True(long.Parse(byPlan[PlanPresets.Default][6], System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture)
            > long.Parse(byPlan["light"][6], System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture));
    }
}
