namespace Warmup.Core.Probing;

/// <summary>One generation to send. The prompt text never leaves the engine: it is not logged or exported.</summary>
/// <param name="Prompt">Full prompt text (already salted by the prompt factory).</param>
/// <param name="MaxOutputTokens">Exact output length wanted; dialects that can force it (ignore_eos, min_tokens) do.</param>
/// <param name="Adapter">LoRA adapter to address instead of the base model, or null.</param>
/// <param name="PromptTokens">Prompt length in tokens as the prompt factory measured or estimated it.</param>
public sealed record GenerationRequest(string Prompt, int MaxOutputTokens, string? Adapter = null, int PromptTokens = 0);
