namespace Warmup.Simulator;

/// <summary>A modelled cold-start penalty charged to a request (it delayed that request's engine step).</summary>
/// <param name="Name">e.g. "jit:512", "graph:8", "kv:+256blocks", "lora:sql-lora", "idle", "init".</param>
/// <param name="Ms">Modelled duration, already multiplied by the profile's TimeScale.</param>
/// <param name="BeforeFirstToken">True when it delayed the first token (part of TTFT), false for a mid-stream stall.</param>
public sealed record ChargedPenalty(string Name, double Ms, bool BeforeFirstToken);

/// <summary>One sent chunk: the engine's modelled due time and the true send time (after flush), Unix ns.</summary>
public sealed record ChunkTiming(int Index, long DueUnixNs, long SentUnixNs);

/// <summary>Everything the simulator knows about one generation request.</summary>
public sealed record RequestRecord
{
    public long Sequence { get; init; }
    public string RequestId { get; init; } = "";
    public string Endpoint { get; init; } = "";
    public string Model { get; init; } = "";
    public string? Adapter { get; init; }
    public int PromptTokens { get; init; }
    public int CachedPromptTokens { get; init; }
    public int ComputedPromptTokens { get; init; }

    /// <summary>The prefill bucket the computed prompt tokens were padded to.</summary>
    public int Bucket { get; init; }
    public int CompletionTokens { get; init; }
    public string? FinishReason { get; init; }
    public int Status { get; init; }
    public string? Fault { get; init; }
    public long ArrivalUnixNs { get; init; }

    /// <summary>When the engine modelled the first token to be ready (0 if none was produced).</summary>
    public long FirstTokenDueUnixNs { get; init; }

    /// <summary>When the first token chunk was actually flushed (0 if none was sent).</summary>
    public long FirstTokenSentUnixNs { get; init; }
    public IReadOnlyList<ChargedPenalty> Penalties { get; init; } = [];
    public IReadOnlyList<ChunkTiming> Chunks { get; init; } = [];

    public double? ModelledTtftMs => FirstTokenDueUnixNs > 0 ? (FirstTokenDueUnixNs - ArrivalUnixNs) / 1e6 : null;

    public double? ActualTtftMs => FirstTokenSentUnixNs > 0 ? (FirstTokenSentUnixNs - ArrivalUnixNs) / 1e6 : null;

    public double ColdPenaltyMs => Penalties.Where(p => p.BeforeFirstToken).Sum(p => p.Ms);
}
