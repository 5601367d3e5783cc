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
}
