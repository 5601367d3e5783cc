namespace Warmup.Core.Prompts;

/// <summary>
/// Prompt length in tokens as a line over the filler word count: tokens = FixedTokens + TokensPerWord * words.
/// FixedTokens covers the salt prefix, the closing instruction and a BOS token; TokensPerWord the filler.
/// </summary>
internal readonly record struct TokenLengthModel(double FixedTokens, double TokensPerWord)
{
    /// <summary>
    /// Used when the server has no tokenizer endpoint: 15 fixed tokens + 1.2 tokens per filler word.
    /// Sources: (1) GPT-style BPE (cl100k_base and o200k_base, which Llama 3 / Qwen-style vocabularies resemble),
    /// measured once with Microsoft.ML.Tokenizers 2.0.1 on 150 of these prompts of 50 to 5,000 filler words:
    /// 1.119 tokens per word (range 1.10 to 1.16), fixed part 13 ("[warmup 4821930577]" = 9, " Continue the
    /// story." = 4). (2) Llama-2 style SPM (32k vocabulary), from the llama.cpp capture in
    /// shared/fixtures/transcripts/llamacpp (Set 2): "the quick brown fox jumps over lazy dog while" = 12 prompt
    /// tokens with BOS, 1.22 per common word before punctuation, about 1.3 with the filler's full stops; SPM also
    /// splits every digit, so its fixed part is near 20. 1.2 and 15 sit between the two families, so an estimate
    /// errs by under about 10 % either way. Calibrated prompts never use these numbers for their reported count.
    /// </summary>
    public static TokenLengthModel Estimate { get; } = new(15, 1.2);

    private const double MinTokensPerWord = 0.2;
    private const double MaxTokensPerWord = 10;

    public int WordsFor(int promptTokens) => Math.Max(0, (int)Math.Round((promptTokens - FixedTokens) / TokensPerWord));

    public int TokensFor(int words) => Math.Max(1, (int)Math.Round(FixedTokens + TokensPerWord * words));

    /// <summary>
    /// Refits from measured (words, tokens) points: through the two latest points with different word counts
    /// when there are such, else by scaling the per-word ratio through the one point (keeping the fixed part).
    /// Ratios outside a sane range are ignored (a tokenizer that answers nonsense should not wreck the model).
    /// </summary>
    public TokenLengthModel Refit(IReadOnlyList<(int Words, int Tokens)> points)
    {
        if (points.Count == 0)
        {
            return this;
        }

        var last = points[^1];
        for (var i = points.Count - 2; i >= 0; i--)
        {
            var other = points[i];
            if (other.Words == last.Words)
            {
                continue;
            }

            var slope = (double)(last.Tokens - other.Tokens) / (last.Words - other.Words);
            if (slope is >= MinTokensPerWord and <= MaxTokensPerWord)
            {
                return new TokenLengthModel(last.Tokens - slope * last.Words, slope);
            }

            break;
        }
        if (last.Words > 0)
        {
            var ratio = (last.Tokens - FixedTokens) / last.Words;
            if (ratio is >= MinTokensPerWord and <= MaxTokensPerWord)
            {
                return this with { TokensPerWord = ratio };
            }
        }
        // No filler words (or a ratio out of range): what was measured is the fixed part.
        return last.Words == 0 ? this with { FixedTokens = last.Tokens } : this with { FixedTokens = last.Tokens - TokensPerWord * last.Words };
    }
}
