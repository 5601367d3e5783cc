using System.Globalization;
using Warmup.Core.Planning;

namespace Warmup.Core.Reliability;

/// <summary>
/// Keeps the steps sent again after a restart (<see cref="Orchestration.WarmupOrchestrator.SendAgainAsync"/>) within the
/// target's maxTokensPerRun: the steps in the order they were first sent, as many as fit what is left of the budget
/// with the verification still to come set aside. The budget is the user's cap on what a run may cost; a restart does not
/// lift it.
/// </summary>
public static class ResendBudget
{
    /// <summary>
    /// The leading steps of <paramref name="sent"/> whose worst-case cost (<see cref="PlanStep.MaxTokens"/>) fits
    /// <paramref name="tokensLeft"/>, and a note for the report when some do not (null when all fit).
    /// </summary>
    public static (IReadOnlyList<PlanStep> Steps, string? Note) Fit(IReadOnlyList<PlanStep> sent, long tokensLeft)
    {
        ArgumentNullException.ThrowIfNull(sent);
        var fitting = new List<PlanStep>(sent.Count);
        var cost = 0L;
        foreach (var step in sent)
        {
            cost += step.MaxTokens;
            if (cost > tokensLeft)
            {
                break;
            }

            fitting.Add(step);
        }

        return fitting.Count == sent.Count
            ? (fitting, null)
            : (fitting, string.Create(CultureInfo.InvariantCulture,
                $"after the outage, {sent.Count - fitting.Count} of the {sent.Count} steps sent so far were not sent again: they did not fit what was left of maxTokensPerRun ({Math.Max(0, tokensLeft):N0} tokens, the verification still to come set aside), so their shapes may be cold"));
    }
}
