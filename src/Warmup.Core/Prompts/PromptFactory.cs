using System.Collections.Concurrent;
using System.Text;
using Warmup.Core.Dialects;
using Warmup.Core.Probing;
using Warmup.Core.Targets;

namespace Warmup.Core.Prompts;

/// <summary>
/// Builds prompts of a given length in tokens, using the server's tokenizer where the dialect has one and a
/// documented estimate otherwise. Every measurement prompt starts with a unique salt so prefix caching cannot
/// make a cold path look warm; <see cref="CreatePrimingRequest"/> is the only unsalted path.
/// </summary>
/// <remarks>
/// Shape: "[warmup 4821930577] " + filler sentences + " Continue the story." Length is set by the filler word
/// count. With a tokenizer the factory calibrates: estimate, measure, refit tokens-per-word, re-measure, until
/// within ±2 % or ±2 tokens (whichever is larger), in at most <see cref="MaxTokenizeCalls"/> round trips. What it
/// learns is kept per (target, base URL, model), so later prompts normally need a single tokenize call.
/// One instance should live as long as the process (it is thread-safe).
/// </remarks>
public sealed class PromptFactory
{
    public const int MaxTokenizeCalls = 3;
    public const double RelativeTolerance = 0.02;
    public const int AbsoluteToleranceTokens = 2;
    public const int MaxPromptTokens = 1_000_000;

    /// <summary>Closing instruction, so a model has an obvious thing to do with the filler.</summary>
    public const string Instruction = "Continue the story.";

    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<TokenizerKey, TokenizerKnowledge> _learned = new();

    public PromptFactory(HttpClient http)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
    }

    /// <summary>A salted prompt of about <paramref name="promptTokens"/> tokens. See <see cref="BuildAsync"/>.</summary>
    public async Task<GenerationRequest> CreateAsync(
        WarmupTarget target,
        IDialect dialect,
        int promptTokens,
        int maxOutputTokens,
        string salt,
        string? adapter,
        CancellationToken cancellationToken)
        => (await BuildAsync(target, dialect, promptTokens, maxOutputTokens, salt, adapter, cancellationToken).ConfigureAwait(false)).Request;

    /// <summary>
    /// A salted prompt of about <paramref name="promptTokens"/> tokens, with where its length came from. The
    /// request's PromptTokens is the tokenizer's count of the returned text, or the estimate when there is none.
    /// Tokenizer failures fall back to the estimate; only caller cancellation throws.
    /// </summary>
    public async Task<BuiltPrompt> BuildAsync(
        WarmupTarget target,
        IDialect dialect,
        int promptTokens,
        int maxOutputTokens,
        string salt,
        string? adapter,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentOutOfRangeException.ThrowIfLessThan(promptTokens, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(promptTokens, MaxPromptTokens);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOutputTokens, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(salt);

        var promptSalt = PromptSalt.From(salt);
        var key = new TokenizerKey(target.Name, target.BaseUrl, target.Model);
        var knowledge = _learned.GetValueOrDefault(key);

        if (knowledge is not { HasTokenizer: false })
        {
            var measured = await CalibrateAsync(target, dialect, promptTokens, promptSalt, knowledge?.Model ?? TokenLengthModel.Estimate, key, cancellationToken)
                .ConfigureAwait(false);
            if (measured is { } found)
            {
                return new BuiltPrompt(new GenerationRequest(found.Text, maxOutputTokens, adapter, found.Tokens), PromptTokenSource.Measured, found.Calls);
            }
        }

        // A model learned from this server earlier beats the generic constant when the tokenizer is failing now.
        var estimate = _learned.GetValueOrDefault(key)?.Model ?? TokenLengthModel.Estimate;
        var words = estimate.WordsFor(promptTokens);
        var text = Compose(promptSalt, words);
        return new BuiltPrompt(new GenerationRequest(text, maxOutputTokens, adapter, estimate.TokensFor(words)), PromptTokenSource.Estimated, 0);
    }

    /// <summary>
    /// The deliberate prefix-priming request: the configured system prompt, sent exactly as given, with no salt,
    /// so the server's prefix cache holds it for the user traffic that starts with it. This is the ONLY unsalted
    /// path in the factory; it is identical on every call, by design. Never use it for measurement.
    /// PromptTokens is the word-based estimate (no tokenizer round trip).
    /// </summary>
    public GenerationRequest CreatePrimingRequest(WarmupTarget target, string systemPrompt, int maxOutputTokens, string? adapter = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentException.ThrowIfNullOrWhiteSpace(systemPrompt);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOutputTokens, 1);
        var words = systemPrompt.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).Length;
        var estimated = Math.Max(1, (int)Math.Round(words * TokenLengthModel.Estimate.TokensPerWord));
        return new GenerationRequest(systemPrompt, maxOutputTokens, adapter, estimated);
    }

    /// <summary>Returns the closest measured prompt, or null when the server has no tokenizer or it failed before any count.</summary>
    private async Task<Measured?> CalibrateAsync(
        WarmupTarget target, IDialect dialect, int promptTokens, PromptSalt salt, TokenLengthModel model, TokenizerKey key, CancellationToken cancellationToken)
    {
        var tolerance = Math.Max(AbsoluteToleranceTokens, (int)Math.Floor(promptTokens * RelativeTolerance));
        var points = new List<(int Words, int Tokens)>(MaxTokenizeCalls);
        Measured? best = null;

        for (var call = 1; call <= MaxTokenizeCalls; call++)
        {
            var words = model.WordsFor(promptTokens);
            if (points.Exists(p => p.Words == words))
            {
                break; // the model points back at a length already measured: nothing closer at word granularity
            }

            var text = Compose(salt, words);
            var count = await TryCountAsync(target, dialect, text, cancellationToken).ConfigureAwait(false);
            if (count.Tokens is not { } tokens)
            {
                if (count.Unsupported)
                {
                    _learned[key] = TokenizerKnowledge.NoTokenizer;
                }

                break;
            }

            points.Add((words, tokens));
            if (best is null || Math.Abs(tokens - promptTokens) < Math.Abs(best.Value.Tokens - promptTokens))
            {
                best = new Measured(text, tokens, call);
            }
            else
            {
                best = best.Value with { Calls = call };
            }

            model = model.Refit(points);
            if (Math.Abs(tokens - promptTokens) <= tolerance)
            {
                break;
            }
        }

        if (points.Count > 0)
        {
            _learned[key] = new TokenizerKnowledge(true, model);
        }

        return best;
    }

    private async Task<TokenCount> TryCountAsync(WarmupTarget target, IDialect dialect, string text, CancellationToken cancellationToken)
    {
        try
        {
            var tokens = await dialect.CountTokensAsync(_http, target, text, cancellationToken).ConfigureAwait(false);
            return tokens is > 0 ? new TokenCount(tokens, false) : new TokenCount(null, tokens is null);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // A tokenizer that fails now may work for the next prompt: estimate this one, keep asking later.
            return new TokenCount(null, false);
        }
    }

    /// <summary>Salt prefix, filler, instruction. The prefix is always first: that is what defeats prefix caches.</summary>
    internal static string Compose(PromptSalt salt, int fillerWords)
    {
        var builder = new StringBuilder(salt.Prefix.Length + fillerWords * 7 + Instruction.Length + 1);
        builder.Append(salt.Prefix).Append(' ');
        FillerText.Append(builder, salt.Seed, fillerWords);
        if (fillerWords > 0)
        {
            builder.Append(' ');
        }

        builder.Append(Instruction);
        return builder.ToString();
    }

    private readonly record struct TokenizerKey(string Target, Uri BaseUrl, string Model);

    private sealed record TokenizerKnowledge(bool HasTokenizer, TokenLengthModel Model)
    {
        public static TokenizerKnowledge NoTokenizer { get; } = new(false, TokenLengthModel.Estimate);
    }

    private readonly record struct TokenCount(int? Tokens, bool Unsupported);

    private readonly record struct Measured(string Text, int Tokens, int Calls);
}
