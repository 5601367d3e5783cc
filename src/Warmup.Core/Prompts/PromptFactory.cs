#pragma warning disable CS9113 // STUB: remove with the implementation
using Warmup.Core.Dialects;
using Warmup.Core.Probing;
using Warmup.Core.Targets;

namespace Warmup.Core.Prompts;

/// <summary>
/// Builds prompts of a given length in tokens, using the server's tokenizer where the dialect has one and a
/// documented estimate otherwise. Every prompt starts with a unique salt so prefix caching cannot make a
/// cold path look warm.
/// </summary>
public sealed class PromptFactory(HttpClient http)
{
    public Task<GenerationRequest> CreateAsync(
        WarmupTarget target,
        IDialect dialect,
        int promptTokens,
        int maxOutputTokens,
        string salt,
        string? adapter,
        CancellationToken cancellationToken) => throw new NotImplementedException();
}
