using System.Globalization;
using Warmup.Core.Targets;

namespace Warmup.Core.Planning;

/// <summary>
/// Checks a plan against its target: the one validator behind the HTTP API, plan files, the CLI and the engine (the
/// HTTP API and the CLI call it before starting, the engine again once the context window is known). Decisions: a
/// step whose concurrency is above the target's
/// <see cref="TargetLimits.MaxConcurrency"/> is clipped to the limit with a note (the limit is the operator's guard
/// rail, the rest of the plan is still worth running); everything else that cannot run is rejected with one
/// message per problem: lengths below 1, prompt plus output over the context window, adapters the target does not
/// serve, and a token budget (plan plus verification) over <see cref="TargetLimits.TokensPerRun"/>.
/// </summary>
public static class PlanValidator
{
    /// <summary>Shape checks that need no target: every length and concurrency at least 1, at least one step.</summary>
    public static IReadOnlyList<string> CheckShape(IReadOnlyList<PlanStep>? steps)
    {
        if (steps is null || steps.Count == 0)
        {
            return ["the plan has no steps"];
        }

        var problems = new List<string>();
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            if (step is null)
            {
                problems.Add($"step {i + 1}: is empty");
                continue;
            }

            AtLeastOne(problems, i, "promptTokens", step.PromptTokens);
            AtLeastOne(problems, i, "maxOutputTokens", step.MaxOutputTokens);
            AtLeastOne(problems, i, "concurrency", step.Concurrency);
            if (step.Adapter is { } adapter && string.IsNullOrWhiteSpace(adapter))
            {
                problems.Add($"step {i + 1}: adapter must be a name or null, got an empty string");
            }
        }

        return problems;
    }

    /// <summary>Checks and clips the plan; never throws. <see cref="PlanCheck.Plan"/> is the clipped plan.</summary>
    public static PlanCheck Check(WarmupPlan plan, WarmupTarget target, int? maxContext)
    {
        var problems = new List<string>(CheckShape(plan.Steps));
        if (problems.Count > 0)
        {
            return new PlanCheck(plan, problems, plan.Notes);
        }

        var notes = new List<string>(plan.Notes);
        var limit = target.Limits.MaxConcurrency;
        if (limit < 1)
        {
            problems.Add($"target '{target.Name}': limits.maxConcurrency must be ≥ 1, got {limit}");
            return new PlanCheck(plan, problems, notes);
        }

        var steps = new List<PlanStep>(plan.Steps.Count);
        for (var i = 0; i < plan.Steps.Count; i++)
        {
            var step = plan.Steps[i];
            if (maxContext is { } context && step.PromptTokens + (long)step.MaxOutputTokens > context)
            {
                problems.Add(
                    $"step {i + 1}: promptTokens + maxOutputTokens = {step.PromptTokens + (long)step.MaxOutputTokens} " +
                    $"exceeds the model's context window of {context} tokens");
            }

            if (step.Adapter is { } adapter && !target.Adapters.Contains(adapter, StringComparer.Ordinal))
            {
                var known = target.Adapters.Count == 0 ? "none" : string.Join(", ", target.Adapters);
                problems.Add($"step {i + 1}: adapter '{adapter}' is not served by target '{target.Name}' (adapters: {known})");
            }

            if (step.Concurrency > limit)
            {
                notes.Add($"step {i + 1}: concurrency {step.Concurrency} clipped to the target's limit of {limit}");
                step = step with { Concurrency = limit };
            }

            steps.Add(step);
        }

        if (maxContext is null)
        {
            notes.Add("the server did not report its context window: step lengths were not checked against it");
        }

        var clipped = plan with { Steps = steps, Notes = notes };
        var needed = TokenCost(clipped, maxContext, target.Adapters);
        var budget = target.Limits.TokensPerRun(maxContext);
        if (needed > budget)
        {
            problems.Add(
                $"the plan needs up to {Format(needed)} tokens (prompt + output, verification included), " +
                $"over target '{target.Name}''s limit of {Format(budget)} tokens per run");
        }

        return new PlanCheck(clipped, problems, notes);
    }

    /// <summary>Checks and clips the plan; throws <see cref="PlanValidationException"/> listing every problem.</summary>
    public static WarmupPlan Validate(WarmupPlan plan, WarmupTarget target, int? maxContext)
    {
        var check = Check(plan, target, maxContext);
        return check.IsValid ? check.Plan : throw new PlanValidationException(check.Problems);
    }

    /// <summary>Upper bound of prompt plus output tokens a run of this plan spends, verification included.</summary>
    public static long TokenCost(WarmupPlan plan, int? maxContext, IReadOnlyList<string>? adapters = null)
        => plan.MaxPromptTokens + plan.MaxOutputTokens + VerificationPlan.For(plan, maxContext, adapters ?? []).TokenCost;

    private static void AtLeastOne(List<string> problems, int index, string field, int value)
    {
        if (value < 1)
        {
            problems.Add($"step {index + 1}: {field} must be ≥ 1, got {value}");
        }
    }

    private static string Format(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}

/// <summary>Result of <see cref="PlanValidator.Check"/>.</summary>
public sealed record PlanCheck(WarmupPlan Plan, IReadOnlyList<string> Problems, IReadOnlyList<string> Notes)
{
    public bool IsValid => Problems.Count == 0;
}
