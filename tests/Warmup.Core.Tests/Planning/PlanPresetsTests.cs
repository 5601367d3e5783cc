using Warmup.Core.Planning;
using Warmup.Core.Prompts;
using Warmup.Core.Targets;

namespace Warmup.Core.Tests.Planning;

public sealed class PlanPresetsTests
{
    private static WarmupTarget Target(int maxConcurrency = 32, long budget = 400_000, params string[] adapters) => new()
    {
        Name = "t",
        BaseUrl = new Uri("http://127.0.0.1:8000/"),
        Model = "m",
        Adapters = adapters,
        Limits = new TargetLimits { MaxConcurrency = maxConcurrency, MaxTokensPerRun = budget },
    };

    [Fact]
    public void Seed_is_the_original_script_28_requests_and_13440_output_tokens()
    {
        var plan = PlanPresets.Resolve(PlanSpec.FromPreset(PlanPresets.Seed), Target(), 4096);

        Assert.Equal(PlanPresets.Seed, plan.Name);
        Assert.Equal(12, plan.Steps.Count);
        Assert.Equal(28, plan.TotalRequests);
        Assert.Equal(13_440, plan.MaxOutputTokens);
        Assert.Equal([1, 2, 4], plan.Levels().Select(l => l.Concurrency));
        Assert.All(plan.Levels(), l => Assert.Equal([128, 256, 512, 1024], l.Steps.Select(s => s.Step.MaxOutputTokens)));
        Assert.All(plan.Steps, s => Assert.Equal(32, s.PromptTokens));
    }

    [Fact]
    public void Light_is_one_short_request()
    {
        var plan = PlanPresets.Resolve(PlanSpec.FromPreset(PlanPresets.Light), Target(), null);

        var step = Assert.Single(plan.Steps);
        Assert.Equal(new PlanStep(64, 16, 1), step);
    }

    [Fact]
    public void Full_covers_every_power_of_two_bucket_up_to_the_context_at_concurrency_one()
    {
        var plan = PlanPresets.Resolve(PlanSpec.FromPreset(PlanPresets.Full), Target(), 4096);

        var ladder = plan.Steps.Where(s => s.Concurrency == 1 && s.Adapter is null).Select(s => s.PromptTokens).ToList();
        int[] buckets = [32, 64, 128, 256, 512, 1024, 2048, 4096];
        for (var i = 0; i < buckets.Length; i++)
        {
            var lower = i == 0 ? 0 : buckets[i - 1];
            Assert.Contains(ladder, p => p > lower && p <= buckets[i]);
        }

        Assert.All(plan.Steps, s => Assert.True(s.PromptTokens + s.MaxOutputTokens <= 4096));
    }

    [Fact]
    public void Full_covers_every_capture_size_up_to_the_concurrency_limit_without_a_cross_product()
    {
        var plan = PlanPresets.Resolve(PlanSpec.FromPreset(PlanPresets.Full), Target(), 4096);

        var concurrencies = plan.Steps.Select(s => s.Concurrency).ToHashSet();
        Assert.Subset(concurrencies, new HashSet<int> { 1, 2, 4, 8, 16, 24, 32 });
        Assert.All(plan.Steps, s => Assert.True(s.Concurrency <= 32));

        // Concurrency > 1 only at the short decode prompt, except one largest-KV step.
        var wide = plan.Steps.Where(s => s.Concurrency > 1).ToList();
        Assert.Single(wide, s => s.PromptTokens > FullPlan.DecodePromptTokens);
        Assert.Equal(6, wide.Count(s => s.PromptTokens == FullPlan.DecodePromptTokens));
    }

    [Fact]
    public void Full_spends_fewer_output_tokens_than_seed()
    {
        var full = PlanPresets.Resolve(PlanSpec.FromPreset(PlanPresets.Full), Target(), 4096);
        var seed = PlanPresets.Resolve(PlanSpec.FromPreset(PlanPresets.Seed), Target(), 4096);

        Assert.True(full.MaxOutputTokens < seed.MaxOutputTokens, $"full {full.MaxOutputTokens} vs seed {seed.MaxOutputTokens}");
    }

    [Fact]
    public void Full_stops_at_a_lower_concurrency_limit_and_sends_the_limit_itself()
    {
        var plan = PlanPresets.Resolve(PlanSpec.FromPreset(PlanPresets.Full), Target(maxConcurrency: 20), 4096);

        var decode = plan.Steps.Where(s => s.Concurrency > 1 && s.PromptTokens == FullPlan.DecodePromptTokens).Select(s => s.Concurrency);
        Assert.Equal([2, 4, 8, 16, 20], decode);
        Assert.All(plan.Steps, s => Assert.True(s.Concurrency <= 20));
    }

    [Fact]
    public void Full_uses_the_reported_context_and_the_default_when_unknown()
    {
        var big = PlanPresets.Resolve(PlanSpec.FromPreset(PlanPresets.Full), Target(), 16_384);
        var unknown = PlanPresets.Resolve(PlanSpec.FromPreset(PlanPresets.Full), Target(), null);

        Assert.Contains(big.Steps, s => s.PromptTokens > 8192 && s.Concurrency == 1);
        Assert.Equal(FullPlan.LongestPrompt(PlanPresets.DefaultContext), unknown.Steps.Max(s => s.PromptTokens));
    }

    [Theory]
    [InlineData(2048)]
    [InlineData(4096)]
    [InlineData(8192)]
    [InlineData(131_072)]
    public void Full_longest_prompt_fits_the_context_even_at_the_prompt_factorys_tolerance(int context)
    {
        var plan = PlanPresets.Resolve(PlanSpec.FromPreset(PlanPresets.Full), Target(budget: 50_000_000), context);

        // A prompt asked for N tokens may come back as long as N + max(2, 2 % of N) (PromptFactory's tolerance).
        foreach (var step in plan.Steps)
        {
            var worstCase = step.PromptTokens + Math.Max(PromptFactory.AbsoluteToleranceTokens, (int)Math.Floor(step.PromptTokens * PromptFactory.RelativeTolerance));
            Assert.True(worstCase + step.MaxOutputTokens <= context, $"step {step} can overflow a {context}-token context");
        }

        // ...without giving up much of the window: the KV step still fills at least 97 % of it.
        Assert.True(plan.Steps.Max(s => s.PromptTokens) >= context * 0.97, $"longest prompt {plan.Steps.Max(s => s.PromptTokens)}");
    }

    [Fact]
    public void Full_honours_finer_buckets_and_capture_sizes_set_per_target()
    {
        var buckets = Enumerable.Range(1, 16).Select(i => i * 512).ToList();
        var sizes = Enumerable.Range(1, 8).Select(i => i * 8).ToList();
        var target = Target(maxConcurrency: 64) with { PromptBuckets = buckets, BatchSizes = sizes };

        var plan = PlanPresets.Resolve(PlanSpec.FromPreset(PlanPresets.Full), target, 8192);

        var ladder = plan.Steps.Where(s => s.Concurrency == 1).Select(s => s.PromptTokens).ToList();
        for (var i = 0; i < buckets.Count; i++)
        {
            var lower = i == 0 ? 0 : buckets[i - 1];
            Assert.Contains(ladder, p => p > lower && p <= buckets[i]);
        }

        var decode = plan.Steps.Where(s => s.Concurrency > 1 && s.PromptTokens == FullPlan.DecodePromptTokens).Select(s => s.Concurrency);
        Assert.Equal(sizes, decode);
    }

    [Fact]
    public void Full_sends_one_request_per_lora_adapter()
    {
        var plan = PlanPresets.Resolve(PlanSpec.FromPreset(PlanPresets.Full), Target(32, 400_000, "sql", "chat"), 4096);

        var adapters = plan.Steps.Where(s => s.Adapter is not null).ToList();
        Assert.Equal(["sql", "chat"], adapters.Select(s => s.Adapter));
        Assert.All(adapters, s => Assert.Equal(1, s.Concurrency));
    }

    [Fact]
    public void Full_touches_the_largest_kv_footprint_in_its_own_level()
    {
        var plan = PlanPresets.Resolve(PlanSpec.FromPreset(PlanPresets.Full), Target(), 4096);

        var kv = plan.Steps.Single(s => s.Concurrency > 1 && s.PromptTokens > FullPlan.DecodePromptTokens);
        Assert.Equal(32, kv.Concurrency);
        Assert.Equal(FullPlan.LongestPrompt(4096), kv.PromptTokens);
        var levels = plan.Levels();
        Assert.Contains(levels, l => l.Steps.Count == 1 && l.Steps[0].Step == kv);
    }

    [Fact]
    public void Full_shrinks_the_kv_step_to_fit_a_small_token_budget_and_says_so()
    {
        var plan = PlanPresets.Resolve(PlanSpec.FromPreset(PlanPresets.Full), Target(budget: 80_000), 4096);

        var kv = plan.Steps.Single(s => s.Concurrency > 1 && s.PromptTokens > FullPlan.DecodePromptTokens);
        Assert.True(kv.Concurrency < 32);
        Assert.True(PlanValidator.TokenCost(plan, 4096) <= 80_000);
        Assert.Contains(plan.Notes, n => n.Contains("largest KV footprint", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_preset_names_the_known_ones()
    {
        var e = Assert.Throws<PlanValidationException>(() => PlanPresets.Resolve(PlanSpec.FromPreset("fast"), Target(), 4096));

        Assert.Equal("unknown plan preset 'fast'; known presets: adaptive, full, light, seed (or give explicit steps in a plan file)", e.Message);
    }

    [Fact]
    public void Levels_are_runs_of_consecutive_steps_with_one_concurrency()
    {
        var plan = new WarmupPlan("p", [new(10, 1, 1), new(20, 1, 1), new(30, 1, 4), new(40, 1, 4), new(50, 1, 2)]);

        var levels = plan.Levels();

        Assert.Equal([1, 4, 2], levels.Select(l => l.Concurrency));
        Assert.Equal([0, 1], levels[0].Steps.Select(s => s.Index));
        Assert.Equal([2, 3], levels[1].Steps.Select(s => s.Index));
    }
}
