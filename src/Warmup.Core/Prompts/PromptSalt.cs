using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Warmup.Core.Prompts;

/// <summary>
/// What a salt string becomes inside a prompt: a short prefix that goes first (so prefix caches such as vLLM
/// APC, SGLang's radix tree and llama.cpp cache_prompt share nothing with another prompt, since their block
/// hashes chain from the first token) and a seed for the filler (so the rest differs too).
/// </summary>
public readonly record struct PromptSalt(string Prefix, int Seed)
{
    /// <summary>
    /// 10 decimal digits (33 bits): GPT-style BPE (cl100k, o200k, Llama 3) packs digits three to a token, so the
    /// whole prefix is about 9 tokens where 8 hex digits cost 14 (measured with cl100k_base). A collision among
    /// 1,000 salts has odds near 1 in 20,000, and then the filler still differs.
    /// </summary>
    private const ulong PrefixRange = 10_000_000_000;

    public static PromptSalt From(string salt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(salt);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(salt));
        var tag = BinaryPrimitives.ReadUInt64LittleEndian(hash.AsSpan(0, 8)) % PrefixRange;
        // The seed comes from other bytes of the hash than the prefix, so a prefix collision still gives other filler.
        var seed = BinaryPrimitives.ReadInt32LittleEndian(hash.AsSpan(16, 4));
        return new PromptSalt($"[warmup {tag:D10}]", seed);
    }
}
