namespace Warmup.Simulator.Engine;

/// <summary>
/// vLLM-style automatic prefix cache: full blocks of prompt tokens are identified by a hash chain
/// (seeded by the model/adapter and the request's cache_salt), so a prompt re-uses the longest run
/// of leading blocks seen before. Least-recently-used blocks are evicted beyond the capacity.
/// </summary>
internal sealed class PrefixCache(int blockSize, int capacityBlocks)
{
    private readonly Dictionary<ulong, LinkedListNode<ulong>> _blocks = [];
    private readonly LinkedList<ulong> _lru = new();

    /// <summary>Tokens served from the cache; at least one prompt token is always computed, as in vLLM.</summary>
    public int Match(SimSequence sequence)
    {
        var matched = 0;
        foreach (var hash in BlockHashes(sequence))
        {
            if (!_blocks.ContainsKey(hash))
            {
                break;
            }

            matched += blockSize;
        }

        return Math.Min(matched, Math.Max(0, sequence.PromptTokens - 1));
    }

    public void Insert(SimSequence sequence)
    {
        foreach (var hash in BlockHashes(sequence))
        {
            if (_blocks.TryGetValue(hash, out var node))
            {
                _lru.Remove(node);
                _lru.AddFirst(node);
                continue;
            }

            _blocks[hash] = _lru.AddFirst(hash);
            if (_blocks.Count > capacityBlocks)
            {
                _blocks.Remove(_lru.Last!.Value);
                _lru.RemoveLast();
            }
        }
    }

    private IEnumerable<ulong> BlockHashes(SimSequence sequence)
    {
        var hash = Mix(14695981039346656037UL, sequence.Adapter ?? sequence.Model);
        hash = Mix(hash, sequence.CacheSalt ?? "");
        var tokens = sequence.PromptTokenIds;
        for (var start = 0; start + blockSize <= tokens.Length; start += blockSize)
        {
            for (var i = start; i < start + blockSize; i++)
            {
                hash = (hash ^ (uint)tokens[i]) * 1099511628211UL;
            }

            yield return hash;
        }
    }

    private static ulong Mix(ulong hash, string text)
    {
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return (hash ^ 0xFF) * 1099511628211UL;
    }
}
