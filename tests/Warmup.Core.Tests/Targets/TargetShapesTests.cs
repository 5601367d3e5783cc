using Warmup.Core.Planning;
using Warmup.Core.Targets;

namespace Warmup.Core.Tests.Targets;

/// <summary>A target's promptBuckets and batchSizes: read and validated from the targets configuration, used by the full plan.</summary>
public sealed class TargetShapesTests
{
    private static TargetCatalog Parse(string shapes) => TargetCatalog.Parse(
        $$"""[ { "name": "fine", "baseUrl": "http://10.0.0.4:8000", "model": "m", "limits": { "maxConcurrency": 64 }{{shapes}} } ]""", "test");

    [Fact]
    public void Configured_shapes_are_what_the_full_plan_covers()
    {
        var catalog = Parse(""", "promptBuckets": [1024, 512, 1536, 2048], "batchSizes": [1, 8, 16, 64]""");

        var target = Assert.Single(catalog.Targets);
        Assert.Equal([512, 1024, 1536, 2048], target.PromptBuckets!);
        Assert.Equal([1, 8, 16, 64], target.BatchSizes!);

        var plan = PlanPresets.Resolve(PlanSpec.FromPreset(PlanPresets.Full), target, 8192);
        var prefill = plan.Steps.Where(s => s.Concurrency == 1 && s.MaxOutputTokens == FullPlan.PrefillOutputTokens).Select(s => s.PromptTokens);
        Assert.Equal([448, 960, 1472, 1984], prefill);
        var decode = plan.Steps.Where(s => s.PromptTokens == FullPlan.DecodePromptTokens && s.Concurrency > 1).Select(s => s.Concurrency);
        Assert.Equal([8, 16, 64], decode);
    }

    [Fact]
    public void Without_shapes_the_plan_uses_the_documented_defaults()
    {
        var target = Assert.Single(Parse("").Targets);

        Assert.Null(target.PromptBuckets);
        Assert.Null(target.BatchSizes);
        var plan = PlanPresets.Resolve(PlanSpec.FromPreset(PlanPresets.Full), target, 4096);
        var decode = plan.Steps.Where(s => s.PromptTokens == FullPlan.DecodePromptTokens && s.Concurrency > 1).Select(s => s.Concurrency);
        Assert.Equal([2, 4, 8, 16, 24, 32], decode);
    }

    [Theory]
    [InlineData(""", "promptBuckets": []""", "promptBuckets must list at least one")]
    [InlineData(""", "promptBuckets": [512, 0]""", "promptBuckets must hold token counts between 1 and")]
    [InlineData(""", "promptBuckets": [512, 512]""", "promptBuckets lists a value twice")]
    [InlineData(""", "batchSizes": [1, 300]""", "batchSizes must hold batch sizes between 1 and 256")]
    [InlineData(""", "batchSizes": "8" """, "invalid value for 'batchSizes'")]
    public void Bad_shapes_make_the_target_invalid_with_a_clear_reason(string shapes, string expected)
    {
        var catalog = Parse(shapes);

        Assert.Empty(catalog.Targets);
        Assert.Contains(expected, Assert.Single(catalog.Problems), StringComparison.Ordinal);
    }
}
