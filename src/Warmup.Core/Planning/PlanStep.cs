namespace Warmup.Core.Planning;

/// <summary>
/// One step of a plan: <see cref="Concurrency"/> requests with prompts of <see cref="PromptTokens"/> tokens,
/// all in flight at once and released together.
/// </summary>
/// <param name="Adapter">LoRA adapter to address, or null for the base model.</param>
public sealed record PlanStep(int PromptTokens, int MaxOutputTokens, int Concurrency, string? Adapter = null);
