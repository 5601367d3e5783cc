using Warmup.Cli.Demo;

namespace Warmup.Cli.Tests;

public sealed class ChartTests
{
    [Fact]
    public void Bars_are_proportional_to_ttft_and_labelled()
    {
        var html = System.Net.WebUtility.HtmlDecode(TtftChart.Render("t", "s", [new ChartBar("512 tok × 1", 1000, 100), new ChartBar("64 tok × 8", 500, 50)]));

        Assert.Contains("512 tok × 1 cold: 1000.0 ms", html);
        Assert.Contains("64 tok × 8 warm: 50.0 ms", html);
        var heights = System.Text.RegularExpressions.Regex.Matches(html, "<rect x=\"\\d+\" y=\"[\\d.]+\" width=\"16\" height=\"([\\d.]+)\"")
            .Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(4, heights.Count);
        Assert.Equal(10, heights[0] / heights[1], 1);
        Assert.Equal(2, heights[0] / heights[2], 1);
    }
}
