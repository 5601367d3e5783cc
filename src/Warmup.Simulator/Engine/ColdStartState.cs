
namespace Warmup.Simulator.Engine;

/// <summary>
/// What the simulated server has already warmed: compiled prefill buckets, captured decode graph
/// sizes, the KV-cache high-water mark, loaded LoRA adapters, one-time init. Engine-thread only.
/// </summary>
internal sealed class ColdStartState(SimulatorProfile profile)
{
    private readonly HashSet<int> _compiledBuckets = [];
    private readonly HashSet<int> _capturedSizes = [];
    private readonly LinkedList<string> _loadedAdapters = new();

    public bool Initialised { get; private set; }
    public long KvHighWaterBlocks { get; private set; }

    /// <summary>Smallest prefill bucket that holds <paramref name="computedTokens"/>.</summary>
    public int BucketFor(int computedTokens)
    {
        foreach (var bucket in profile.PrefillBuckets)
        {
            if (bucket >= computedTokens)
            {
                return bucket;
            }
        }

        return profile.PrefillBuckets[^1];
    }

    /// <summary>Padded capture size for a decode batch, or null when the batch runs eagerly (beyond the largest size).</summary>
    public int? CaptureSizeFor(int batch)
    {
        foreach (var size in profile.CudaGraphCaptureSizes)
        {
            if (size >= batch)
            {
                return size;
            }
        }

        return null;
    }

    public bool CompileBucket(int bucket) => _compiledBuckets.Add(bucket);

    public bool CaptureGraph(int size) => _capturedSizes.Add(size);

    public bool Initialise()
    {
        var first = !Initialised;
        Initialised = true;
        return first;
    }

    /// <summary>Marks the adapter used; returns true when it had to be loaded (first use, or evicted by maxLoras).</summary>
    public bool UseAdapter(string adapter)
    {
        var node = _loadedAdapters.Find(adapter);
        if (node is not null)
        {
            _loadedAdapters.Remove(node);
            _loadedAdapters.AddFirst(node);
            return false;
        }

        _loadedAdapters.AddFirst(adapter);
        if (_loadedAdapters.Count > profile.MaxLoras)
        {
            _loadedAdapters.RemoveLast();
        }

        return true;
    }

    /// <summary>Raises the high-water mark; returns the number of newly allocated blocks (whole allocation chunks).</summary>
    public long GrowKv(long residentBlocks)
    {
        if (residentBlocks <= KvHighWaterBlocks)
        {
            return 0;
        }

        var chunk = profile.KvAllocChunkBlocks;
        var newChunks = CeilDiv(residentBlocks, chunk) - CeilDiv(KvHighWaterBlocks, chunk);
        KvHighWaterBlocks = residentBlocks;
        return newChunks * chunk;
    }

    public SimulatorState Snapshot() => new(
        Initialised,
        _compiledBuckets.Order().ToList(),
        _capturedSizes.Order().ToList(),
        KvHighWaterBlocks,
        _loadedAdapters.ToList());

    private static long CeilDiv(long a, long b) => (a + b - 1) / b;
}
