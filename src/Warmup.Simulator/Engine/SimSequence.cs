using System.Threading.Channels;

namespace Warmup.Simulator.Engine;

/// <summary>One token (or the EOS marker) produced by an engine step for one sequence.</summary>
internal readonly record struct EngineToken(int Index, string Text, string? FinishReason, long DueUnixNs);

/// <summary>A request inside the engine: its prompt, its sampling limits, and the channel its tokens go to.</summary>
internal sealed class SimSequence
{
    private readonly List<ChargedPenalty> _penalties = [];
    private readonly Lock _lock = new();
    private volatile bool _aborted;

    public SimSequence(string id, string model, string? adapter, int[] promptTokenIds, string? cacheSalt,
        int maxTokens, int minTokens, bool ignoreEos, int seed, long arrivalUnixNs)
    {
        Id = id;
        Model = model;
        Adapter = adapter;
        PromptTokenIds = promptTokenIds;
        CacheSalt = cacheSalt;
        MaxTokens = maxTokens;
        MinTokens = Math.Min(minTokens, maxTokens);
        IgnoreEos = ignoreEos;
        Random = new Random(seed);
        ArrivalUnixNs = arrivalUnixNs;
    }

    public string Id { get; }
    public string Model { get; }
    public string? Adapter { get; }
    public int[] PromptTokenIds { get; }
    public int PromptTokens => PromptTokenIds.Length;
    public string? CacheSalt { get; }
    public int MaxTokens { get; }
    public int MinTokens { get; }
    public bool IgnoreEos { get; }
    public Random Random { get; }
    public long ArrivalUnixNs { get; }

    public Channel<EngineToken> Tokens { get; } = Channel.CreateUnbounded<EngineToken>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = false });

    // Engine-thread state (written by the engine loop only; read by the writer after the first token arrives).
    public int Generated { get; set; }
    public int CachedTokens { get; set; }
    public int ComputedTokens { get; set; }
    public int Bucket { get; set; }
    public long FirstTokenDueUnixNs { get; set; }
    public string? FinishReason { get; set; }

    public bool Aborted => _aborted;

    public void Abort() => _aborted = true;

    public void Charge(string name, double ms)
    {
        lock (_lock)
        {
            _penalties.Add(new ChargedPenalty(name, ms, FirstTokenDueUnixNs == 0));
        }
    }

    public IReadOnlyList<ChargedPenalty> Penalties()
    {
        lock (_lock)
        {
            return [.. _penalties];
        }
    }
}
