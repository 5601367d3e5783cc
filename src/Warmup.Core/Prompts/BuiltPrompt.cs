using Warmup.Core.Probing;

namespace Warmup.Core.Prompts;

/// <summary>Where a prompt's token count came from.</summary>
public enum PromptTokenSource
{
    /// <summary>The server's tokenizer counted this exact prompt text.</summary>
    Measured,

    /// <summary>No tokenizer endpoint (or it failed): the count is the documented estimate.</summary>
    Estimated,
}

/// <summary>A built prompt with the provenance of its length.</summary>
/// <param name="TokenizeCalls">Tokenizer round trips spent on this prompt (0 when estimated or learned "no tokenizer").</param>
public sealed record BuiltPrompt(GenerationRequest Request, PromptTokenSource TokenSource, int TokenizeCalls);
