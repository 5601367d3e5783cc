using System.Text.Json.Serialization;

namespace Warmup.Core.Planning;

/// <summary>An ordered list of steps. Consecutive steps with the same concurrency form a level; levels run in order (see <see cref="Levels"/>).</summary>
public sealed record WarmupPlan(string Name, IReadOnlyList<PlanStep> Steps)
{
    /// <summary>What resolution changed and why (a concurrency clipped to the target's limit, a step shortened to fit the budget).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>
    /// Tokens the plan's steps may spend in all, steps sent again after a restart included: the target's
    /// maxTokensPerRun less the verification's worst case (set when the plan is resolved for a target; null otherwise,
    /// and nothing is checked).
    /// </summary>
    public long? StepTokenBudget { get; init; }

    [JsonIgnore]
    public int TotalRequests => Steps.Sum(s => s.Concurrency);

    [JsonIgnore]
    public long MaxOutputTokens => Steps.Sum(s => (long)s.Concurrency * s.MaxOutputTokens);

    [JsonIgnore]
    public long MaxPromptTokens => Steps.Sum(s => (long)s.Concurrency * s.PromptTokens);

    /// <summary>
    /// The plan's levels: each run of consecutive steps with the same concurrency is one level. The orchestrator sends
    /// the steps of a level at the same time and the levels one after another, in plan order. (Runs rather than one
    /// level per distinct concurrency, so a plan's order is what happens: the full preset's largest-KV step runs on its
    /// own rather than beside the top concurrency rung it shares a concurrency with. When a target's limits shrink that
    /// step to the concurrency of a neighbouring step, the two form one level, like any steps of equal concurrency.)
    /// </summary>
    public IReadOnlyList<PlanLevel> Levels()
    {
        var levels = new List<PlanLevel>();
        var current = new List<IndexedStep>();
        for (var i = 0; i < Steps.Count; i++)
        {
            if (current.Count > 0 && current[0].Step.Concurrency != Steps[i].Concurrency)
            {
                levels.Add(new PlanLevel(current[0].Step.Concurrency, current));
                current = [];
            }

            current.Add(new IndexedStep(i, Steps[i]));
        }

        if (current.Count > 0)
        {
            levels.Add(new PlanLevel(current[0].Step.Concurrency, current));
        }

        return levels;
    }
}

/// <summary>Steps that share one concurrency.</summary>
public sealed record PlanLevel(int Concurrency, IReadOnlyList<IndexedStep> Steps);

/// <summary>A step and its zero-based position in the plan.</summary>
public sealed record IndexedStep(int Index, PlanStep Step);
