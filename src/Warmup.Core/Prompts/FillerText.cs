using System.Text;

namespace Warmup.Core.Prompts;

/// <summary>
/// Deterministic, varied, plain English for prompt bodies: short sentences from fixed word lists, picked by a
/// seeded random generator. Common short words keep the token cost per word low and steady across tokenizers
/// (most are one token in Llama and GPT vocabularies), which is what makes the word count a good length knob.
/// The stream of words for a seed never depends on how many words are asked for, so a longer prompt extends a
/// shorter one and calibration moves monotonically.
/// </summary>
internal static class FillerText
{
    private static readonly string[] Determiners = ["the", "my", "one", "every", "that", "this", "our", "her", "his", "their", "some", "each"];

    private static readonly string[] Adjectives =
    [
        "old", "young", "small", "large", "quiet", "bright", "dark", "warm", "cold", "green", "red", "blue",
        "white", "long", "short", "happy", "tired", "busy", "calm", "strong", "early", "late", "open", "empty",
        "heavy", "soft", "clean", "wild", "gentle", "simple", "famous", "hidden",
    ];

    private static readonly string[] Nouns =
    [
        "river", "house", "garden", "teacher", "child", "farmer", "city", "road", "window", "door", "letter",
        "market", "forest", "village", "friend", "captain", "doctor", "bridge", "boat", "train", "station",
        "kitchen", "table", "lamp", "book", "song", "story", "mountain", "field", "horse", "bird", "dog",
        "king", "queen", "student", "painter", "baker", "island", "school", "church", "shop", "tree", "stone",
        "morning", "evening", "winter", "summer", "key", "box", "coat",
    ];

    private static readonly string[] TransitiveVerbs =
    [
        "found", "carried", "opened", "watched", "painted", "followed", "remembered", "built", "lost", "called",
        "cleaned", "visited", "answered", "moved", "helped", "closed", "wanted", "showed", "kept", "left",
    ];

    private static readonly string[] IntransitiveVerbs =
    [
        "walked", "waited", "rested", "looked", "stayed", "sang", "laughed", "slept", "turned", "ran",
        "worked", "listened", "talked", "smiled", "stopped", "returned",
    ];

    private static readonly string[] Prepositions = ["near", "across", "behind", "under", "over", "beside", "toward", "around", "inside", "past", "along", "beyond"];

    private static readonly string[] Openers = ["Then", "Later", "Soon", "Meanwhile", "Afterwards", "Still"];

    /// <summary>Appends exactly <paramref name="words"/> words of filler (0 appends nothing); ends with a full stop.</summary>
    public static void Append(StringBuilder builder, int seed, int words)
    {
        if (words <= 0)
        {
            return;
        }

        var random = new Random(seed);
        var sentence = new List<string>(12);
        var written = 0;
        while (written < words)
        {
            ComposeSentence(random, sentence);
            var take = Math.Min(sentence.Count, words - written);
            for (var i = 0; i < take; i++)
            {
                if (written > 0 || i > 0)
                {
                    builder.Append(' ');
                }

                builder.Append(i == 0 ? Capitalize(sentence[i]) : sentence[i]);
            }
            builder.Append('.');
            written += take;
        }
    }

    private static void ComposeSentence(Random random, List<string> words)
    {
        words.Clear();
        switch (random.Next(4))
        {
            case 0: // The quiet river turned beside the old house.
                words.AddRange([Pick(random, Determiners), Pick(random, Adjectives), Pick(random, Nouns), Pick(random, IntransitiveVerbs),
                    Pick(random, Prepositions), Pick(random, Determiners), Pick(random, Adjectives), Pick(random, Nouns)]);
                break;
            case 1: // A baker found their hidden key.
                words.AddRange([Pick(random, Determiners), Pick(random, Nouns), Pick(random, TransitiveVerbs),
                    Pick(random, Determiners), Pick(random, Adjectives), Pick(random, Nouns)]);
                break;
            case 2: // Every young doctor carried the lamp across our bridge.
                words.AddRange([Pick(random, Determiners), Pick(random, Adjectives), Pick(random, Nouns), Pick(random, TransitiveVerbs),
                    Pick(random, Determiners), Pick(random, Nouns), Pick(random, Prepositions), Pick(random, Determiners), Pick(random, Nouns)]);
                break;
            default: // Later the dog waited near some green field and the farmer smiled.
                words.AddRange([Pick(random, Openers), Pick(random, Determiners), Pick(random, Nouns), Pick(random, IntransitiveVerbs),
                    Pick(random, Prepositions), Pick(random, Determiners), Pick(random, Adjectives), Pick(random, Nouns), "and",
                    Pick(random, Determiners), Pick(random, Nouns), Pick(random, IntransitiveVerbs)]);
                break;
        }
    }

    private static string Pick(Random random, string[] words) => words[random.Next(words.Length)];

    private static string Capitalize(string word) => char.ToUpperInvariant(word[0]) + word[1..];
}
