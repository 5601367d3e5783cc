using Warmup.Core.Planning;
using Warmup.Core.Targets;

namespace Warmup.Core.Tests.Planning;

public sealed class VerificationPlanTests
{
    [Fact]
    public void Five_log_spaced_lengths_from_48_to_three_quarters_of_the_context_off_the_plan_points()
    {
        var target = new WarmupTarget { Name = "t", BaseUrl = new Uri("http://127.0.0.1:1/"), Model = "m" };
        var plan = PlanPresets.Resolve(PlanSpec.FromPreset(PlanPresets.Full), target, 4096);

        var verification = VerificationPlan.For(plan, 4096);

        Assert.Equal(5, verification.PromptLengths.Count);
        Assert.Equal(48, verification.PromptLengths[0]);
        Assert.Equal(3072, verification.PromptLengths[^1]);
        Assert.Equal(verification.PromptLengths.Order(), verification.PromptLengths);
        Assert.Empty(verification.PromptLengths.Intersect(plan.Steps.Select(s => s.PromptTokens)));
        Assert.Equal(20, verification.Requests);
    }

    [Fact]
    public void Lengths_step_aside_from_plan_points()
    {
        var plan = new WarmupPlan("p", [new PlanStep(48, 8, 1), new PlanStep(49, 8, 1)]);

        var verification = VerificationPlan.For(plan, 4096);

        Assert.Equal(50, verification.PromptLengths[0]);
    }

    [Fact]
    public void Each_adapter_of_the_target_gets_a_probe_at_the_middle_length_and_is_counted_in_requests_and_tokens()
    {
        var plan = new WarmupPlan("p", [new PlanStep(32, 8, 1)]);
        var baseOnly = VerificationPlan.For(plan, 8192);

        var withAdapters = VerificationPlan.For(plan, 8192, ["sql-lora", "chat-lora", "sql-lora", " "]);

        Assert.Equal(["sql-lora", "chat-lora"], withAdapters.Adapters);
        Assert.Equal(baseOnly.PromptLengths, withAdapters.PromptLengths);
        Assert.Equal(withAdapters.PromptLengths[2], withAdapters.AdapterPromptLength);
        Assert.Equal(baseOnly.Requests + (2 * (1 + VerificationPlan.DefaultSteadyRepeats)), withAdapters.Requests);
        Assert.Equal(
            baseOnly.TokenCost + (2L * (withAdapters.AdapterPromptLength + VerificationPlan.DefaultOutputTokens) * (1 + VerificationPlan.DefaultSteadyRepeats)),
            withAdapters.TokenCost);
        Assert.Empty(baseOnly.Adapters);
    }
}
