using System.Text.Json.Serialization;

namespace Warmup.Core.Planning;

/// <summary>
/// One step of a plan: <see cref="Concurrency"/> requests with prompts of <see cref="PromptTokens"/> tokens,
/// all in flight at once and released together.
/// </summary>
/// <param name="Adapter">LoRA adapter to address, or null for the base model.</param>
public sealed record PlanStep(int PromptTokens, int MaxOutputTokens, int Concurrency, string? Adapter = null)
{
    /// <summary>
    /// A staircase burst: the requests are released together but ask for distinct exact output lengths (request i of N
    /// gets <see cref="MaxOutputTokens"/> × (i + 1) / N), so they finish one by one and the server's running batch passes
    /// through every size from N down to 1. Needs a dialect that forces output lengths (see <see cref="Adaptive.StaircaseBurst"/>).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Staircase { get; init; }

    /// <summary>
    /// A staircase's decode steps, one batch size per step, descending from <see cref="Concurrency"/>: a size listed
    /// twice is held for two steps (a learned shape map holds the sizes the server stalled on, see
    /// <see cref="Adaptive.StaircaseBurst.Learned"/>, and passes the others once). Null: every size from
    /// <see cref="Concurrency"/> down to 1 for <see cref="MaxOutputTokens"/> / <see cref="Concurrency"/> steps each.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<int>? Levels { get; init; }

    /// <summary>Worst-case tokens of the step: every request's prompt plus its output limit (what budgets are checked against).</summary>
    [JsonIgnore]
    public long MaxTokens => (long)Concurrency * (PromptTokens + MaxOutputTokens);

    // Steps are compared by value (a step read back from the orchestration history must equal the one planned), and a
    // record compares a list by reference.
    public bool Equals(PlanStep? other)
        => other is not null && PromptTokens == other.PromptTokens && MaxOutputTokens == other.MaxOutputTokens
           && Concurrency == other.Concurrency && Adapter == other.Adapter && Staircase == other.Staircase
           && (Levels ?? []).SequenceEqual(other.Levels ?? []) && (Levels is null) == (other.Levels is null);

    public override int GetHashCode() => HashCode.Combine(PromptTokens, MaxOutputTokens, Concurrency, Adapter, Staircase, Levels?.Count);
}
