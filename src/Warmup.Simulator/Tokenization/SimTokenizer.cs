using System.Text;

namespace Warmup.Simulator;

/// <summary>
/// The simulator's deterministic tokenizer; it defines prompt lengths everywhere in the simulator
/// (/tokenize, usage, buckets, prefix cache, metrics). Rules, applied left to right:
/// <list type="bullet">
/// <item>a special marker <c>&lt;|...|&gt;</c> (no whitespace inside, at most 32 chars) is one token;</item>
/// <item>a run of letters/digits is a word; one leading space is glued to it (" Paris" = 1 token);
/// words longer than <see cref="MaxWordPiece"/> characters are split into pieces of that length;</item>
/// <item>any other whitespace character is one token each, and so is every other character
/// (punctuation, symbols; a UTF-16 surrogate pair counts as one character).</item>
/// </list>
/// Token ids are a stable FNV-1a hash of the token text modulo <see cref="VocabSize"/>.
/// </summary>
public static class SimTokenizer
{
    public const int MaxWordPiece = 8;
    public const int VocabSize = 128_256;

    public static List<string> Split(string text)
    {
        var tokens = new List<string>(text.Length / 4 + 1);
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '<' && TrySpecial(text, i, out var special))
            {
                tokens.Add(special);
                i += special.Length;
                continue;
            }

            var start = i;
            if (c == ' ' && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1]))
            {
                i++;
            }

            if (char.IsLetterOrDigit(text[i]))
            {
                var wordEnd = i;
                while (wordEnd < text.Length && char.IsLetterOrDigit(text[wordEnd]))
                {
                    wordEnd++;
                }

                // The first piece carries the glued space; later pieces are bare.
                var pieceStart = start;
                var pieceEnd = Math.Min(i + MaxWordPiece, wordEnd);
                while (pieceStart < wordEnd)
                {
                    tokens.Add(text[pieceStart..pieceEnd]);
                    pieceStart = pieceEnd;
                    pieceEnd = Math.Min(pieceStart + MaxWordPiece, wordEnd);
                }

                i = wordEnd;
                continue;
            }

            var width = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            tokens.Add(text.Substring(i, width));
            i += width;
        }

        return tokens;
    }

    public static int Count(string text) => Split(text).Count;

    public static int[] Encode(string text) => Split(text).Select(TokenId).ToArray();

    public static int TokenId(string token)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(token))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return (int)(hash % VocabSize);
    }

    /// <summary>The simple chat template the simulator applies before tokenizing chat messages.</summary>
    public static string ApplyChatTemplate(IEnumerable<(string Role, string Content)> messages)
    {
        var sb = new StringBuilder();
        foreach (var (role, content) in messages)
        {
            sb.Append("<|").Append(role).Append("|>\n").Append(content).Append('\n');
        }

        return sb.Append("<|assistant|>\n").ToString();
    }

    private static bool TrySpecial(string text, int start, out string special)
    {
        special = "";
        if (start + 1 >= text.Length || text[start + 1] != '|')
        {
            return false;
        }

        var end = text.IndexOf("|>", start + 2, StringComparison.Ordinal);
        if (end < 0 || end + 2 - start > 32)
        {
            return false;
        }

        var inner = text.AsSpan(start + 2, end - start - 2);
        foreach (var ch in inner)
        {
            if (char.IsWhiteSpace(ch))
            {
                return false;
            }
        }

        special = text[start..(end + 2)];
        return true;
    }
}
