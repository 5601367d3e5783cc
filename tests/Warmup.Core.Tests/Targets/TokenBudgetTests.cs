using Warmup.Core.Adaptive;
using Warmup.Core.Planning;
using Warmup.Core.Targets;

namespace Warmup.Core.Tests.Targets;

/// <summary>A run's token budget: the configured maxTokensPerRun, else one that grows with the server's context window.</summary>
public sealed class TokenBudgetTests
{
    private static WarmupTarget Target(long? maxTokens) => new()
    {
        Name = "t",
        BaseUrl = new Uri("http://127.0.0.1:8000/"),
        Model = "m",
        Limits = new TargetLimits { MaxTokensPerRun = maxTokens },
    };

    [Theory]
    [InlineData(null, 400_000)]
    [InlineData(4096, 400_000)]
    [InlineData(8192, 409_600)]
    [InlineData(32_768, 1_638_400)]
    [InlineData(131_072, 6_553_600)]
    public void Unset_it_is_fifty_context_windows_and_never_under_400k(int? maxContext, long expected)
        => Assert.Equal(expected, new TargetLimits().TokensPerRun(maxContext));

    [Fact]
    public void Configured_it_is_the_budget_whatever_the_context()
        => Assert.Equal(200_000, new TargetLimits { MaxTokensPerRun = 200_000 }.TokensPerRun(131_072));

    [Fact]
    public void A_128k_context_gets_an_adaptive_round_by_default_where_400k_would_not_even_cover_its_verification()
    {
        var spec = PlanSpec.FromPreset(PlanPresets.Adaptive);
        const int context = 131_072;

        var byDefault = RoundPlanner.First(spec, Target(null), context, true, null, AdaptiveBudget.For(spec, Target(null), context));
        var capped = RoundPlanner.First(spec, Target(400_000), context, true, null, AdaptiveBudget.For(spec, Target(400_000), context));

        Assert.Null(byDefault.Stop);
        Assert.Equal(6_553_600, byDefault.TokenBudget);
        Assert.Contains(byDefault.Plan.Steps, s => s.PromptTokens > 100_000);
        Assert.Equal(LoopStops.Tokens, capped.Stop);
        Assert.Contains(capped.State.Notes, n => n.Contains("its verification alone needs", StringComparison.Ordinal));
    }

    [Fact]
    public void The_full_preset_is_checked_against_the_same_budget()
    {
        var spec = PlanSpec.FromPreset(PlanPresets.Full);

        var plan = PlanPresets.Resolve(spec, Target(null), 131_072);
        var refused = Assert.Throws<PlanValidationException>(() => PlanPresets.Resolve(spec, Target(100_000), 131_072));

        Assert.NotEmpty(plan.Steps);
        Assert.Contains("limit of 100,000 tokens per run", refused.Message, StringComparison.Ordinal);
    }
}
