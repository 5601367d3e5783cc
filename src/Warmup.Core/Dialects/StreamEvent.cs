namespace Warmup.Core.Dialects;

public enum StreamEventKind
{
    /// <summary>Carries generated content (text, reasoning or tool-call deltas). Stops the TTFT clock.</summary>
    Token,
    /// <summary>A well-formed event without content: role-only chunk, empty delta, finish-only chunk.</summary>
    NoContent,
    /// <summary>Token accounting only (OpenAI usage chunk with choices: []).</summary>
    Usage,
    /// <summary>An error object inside the stream.</summary>
    Error,
    /// <summary>The dialect's terminal marker (data: [DONE], final object).</summary>
    Done,
    /// <summary>An event that could not be parsed.</summary>
    Malformed,
}

/// <summary>One parsed unit of a response stream, as a dialect understands it.</summary>
/// <param name="TokenCount">Tokens this event carries when known (cumulative dialects give deltas here), else 1 for a token event.</param>
/// <param name="PromptTokens">Server-reported prompt tokens, when the event carries usage.</param>
/// <param name="CompletionTokens">Server-reported completion tokens, when the event carries usage.</param>
/// <param name="Detail">Error text (already stripped of secrets) for Error/Malformed events.</param>
public readonly record struct StreamEvent(
    StreamEventKind Kind,
    int TokenCount = 0,
    int? PromptTokens = null,
    int? CompletionTokens = null,
    string? Detail = null);
