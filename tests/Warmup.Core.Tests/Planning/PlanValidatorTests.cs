using Warmup.Core.Planning;
using Warmup.Core.Targets;

namespace Warmup.Core.Tests.Planning;

public sealed class PlanValidatorTests
{
    private static readonly WarmupTarget Target = new()
    {
        Name = "vllm-a",
        BaseUrl = new Uri("http://127.0.0.1:8000/"),
        Model = "m",
        Adapters = ["sql"],
        Limits = new TargetLimits { MaxConcurrency = 8, MaxTokensPerRun = 100_000 },
    };

    private static PlanValidationException Reject(int? context, params PlanStep[] steps)
        => Assert.Throws<PlanValidationException>(() => PlanPresets.Resolve(PlanSpec.FromSteps("mine", steps), Target, context));

    [Fact]
    public void Zero_and_negative_values_are_rejected_with_the_step_number()
    {
        var e = Reject(4096, new PlanStep(64, 8, 1), new PlanStep(0, 8, -4), new PlanStep(64, 0, 1));

        Assert.Equal(
            [
                "step 2: promptTokens must be ≥ 1, got 0",
                "step 2: concurrency must be ≥ 1, got -4",
                "step 3: maxOutputTokens must be ≥ 1, got 0",
            ],
            e.Problems);
    }

    [Fact]
    public void Prompt_plus_output_over_the_context_window_is_rejected()
    {
        var e = Reject(4096, new PlanStep(4000, 200, 1));

        Assert.Equal("step 1: promptTokens + maxOutputTokens = 4200 exceeds the model's context window of 4096 tokens", Assert.Single(e.Problems));
    }

    [Fact]
    public void Concurrency_over_the_target_limit_is_clipped_with_a_note()
    {
        var plan = PlanPresets.Resolve(PlanSpec.FromSteps("mine", [new PlanStep(64, 8, 2), new PlanStep(64, 8, 64)]), Target, 4096);

        Assert.Equal([2, 8], plan.Steps.Select(s => s.Concurrency));
        Assert.Contains("step 2: concurrency 64 clipped to the target's limit of 8", plan.Notes);
    }

    [Fact]
    public void The_token_budget_counts_the_plan_and_the_verification()
    {
        // 8 x (6000 + 100) = 48,800 per step; two steps = 97,600, plus verification > 100,000.
        var e = Reject(8192, new PlanStep(6000, 100, 8), new PlanStep(6000, 100, 8));

        var problem = Assert.Single(e.Problems);
        Assert.StartsWith("the plan needs up to ", problem, StringComparison.Ordinal);
        Assert.EndsWith("over target 'vllm-a''s limit of 100,000 tokens per run", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Adapters_must_be_served_by_the_target()
    {
        var e = Reject(4096, new PlanStep(64, 8, 1, "chat"));

        Assert.Equal("step 1: adapter 'chat' is not served by target 'vllm-a' (adapters: sql)", Assert.Single(e.Problems));
        Assert.Single(PlanPresets.Resolve(PlanSpec.FromSteps("ok", [new PlanStep(64, 8, 1, "sql")]), Target, 4096).Steps);
    }

    [Fact]
    public void An_unknown_context_window_is_noted_not_guessed_for_explicit_steps()
    {
        var plan = PlanPresets.Resolve(PlanSpec.FromSteps("mine", [new PlanStep(6000, 8, 1)]), Target, null);

        Assert.Contains(plan.Notes, n => n.Contains("did not report its context window", StringComparison.Ordinal));
    }

    [Fact]
    public void An_empty_plan_is_rejected()
    {
        var e = Assert.Throws<PlanValidationException>(() => PlanPresets.Resolve(PlanSpec.FromSteps("none", []), Target, 4096));

        Assert.Equal("the plan has no steps", e.Message);
    }

}
