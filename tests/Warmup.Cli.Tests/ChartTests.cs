using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Warmup.Cli.Demo;

namespace Warmup.Cli.Tests;

public sealed class ChartTests
{
    private static readonly ShapeBars[] Shapes = [new("512 tokens", 430, 52, 50), new("4,096 tokens", 1000, 110, 100)];
    private static readonly TimelinePoint[] Timeline =
        [new(0, 4300, 0, "4096 tok × 1"), new(0.5, 40, 1, "4096 tok × 1"), new(1.0, 9000, 2, "8021 tok × 32"), new(2.0, 45, 3, "32 tok × 32")];

    [Fact]
    public void The_verdict_is_at_the_top_and_every_value_is_printed()
    {
        var svg = TtftChart.RenderSvg("NOT WARM 1.50x first-user-like / steady TTFT (threshold 1.20x)", ["demo", "spent"], 1.2, Shapes, Timeline);

        var document = XDocument.Parse(svg);
        var texts = document.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value).ToList();
        Assert.StartsWith("NOT WARM 1.50x", texts[0]);
        Assert.Contains("430 ms", texts);
        Assert.Contains("52.0 ms", texts);
        Assert.Contains("steady 50.0 ms", texts);
        Assert.Contains("9.00 s", texts); // the slowest warm-up request is labelled
        Assert.DoesNotContain("<script", svg);
    }

    [Fact]
    public void Bars_use_a_log_axis_so_a_tenfold_gap_is_one_decade_not_a_sliver()
    {
        var svg = TtftChart.RenderSvg("WARM", [], 1.2, [new ShapeBars("s", 1000, 100, 10)], []);

        var heights = Regex.Matches(svg, "<rect x=\"[\\d.]+\" y=\"[\\d.]+\" width=\"[\\d.]+\" height=\"([\\d.]+)\" fill=\"#(c0392b|1e8449)\"><title>")
            .Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(2, heights.Count);
        // 1000 ms and 100 ms on an axis from 10 ms to 1 s: two decades against one, not ten times the height.
        Assert.Equal(2.0, heights[0] / heights[1], 2);
    }

    [Fact]
    public void Every_warm_up_request_is_a_point_coloured_by_its_step()
    {
        var svg = TtftChart.RenderSvg("WARM", [], 1.2, Shapes, Timeline);

        var points = Regex.Matches(svg, "<circle cx=\"[\\d.]+\" cy=\"[\\d.]+\" r=\"4\" fill=\"(#[0-9a-f]+)\" fill-opacity").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(4, points.Count);
        Assert.Equal(4, points.Distinct().Count());
        Assert.Contains("3: 8021 tok × 32", XDocument.Parse(svg).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value));
    }
}
