namespace Warmup.Core.Adaptive;

/// <summary>
/// What the adaptive loop knows between rounds. It travels through the orchestration history (activity inputs and
/// outputs), so it is small: shape lists, never samples.
/// </summary>
public sealed record AdaptiveState
{
    /// <summary>Rounds finished so far (warm-up plus verification).</summary>
    public int Round { get; init; }

    /// <summary>Prompt plus output tokens spent so far by every round's plan and verification (client count).</summary>
    public long TokensSpent { get; init; }

    /// <summary>Base-model prompt lengths sent so far, plan and verification alike: their prefill shapes are warm now.</summary>
    public IReadOnlyList<int> SentLengths { get; init; } = [];

    /// <summary>Rung spacing (tokens) the loop has learned the server needs; null until a cold length showed it.</summary>
    public int? Spacing { get; init; }

    /// <summary>
    /// Ratio between neighbouring rungs the loop has learned the server needs (buckets that grow with the length, as
    /// doubling or exponential bucketing compiles); null until a cold length showed it (<see cref="PrefillRungs.RatioFor"/>).
    /// </summary>
    public double? SpacingRatio { get; init; }

    /// <summary>
    /// Every base-model prompt length sent so far, in the order sent (rungs, then each verification's lengths), and
    /// whether its first request paid a cold path: what <see cref="HiddenBuckets"/> reads buckets from.
    /// </summary>
    public IReadOnlyList<SentLength> History { get; init; } = [];

    /// <summary>
    /// Rungs the next round sends although verification found no cold length: midpoints of gaps where a whole bucket may
    /// lie unseen (<see cref="HiddenBuckets"/>). Only once the loop has refined (a server with buckets narrower than
    /// the ladder's); empty otherwise.
    /// </summary>
    public IReadOnlyList<int> Midpoints { get; init; } = [];

    /// <summary>Decode batch sizes passed so far (staircases pass every size up to their top, bursts their own size).</summary>
    public IReadOnlyList<int> SentConcurrencies { get; init; } = [];

    /// <summary>Adapters the loop re-warmed after verification found them cold.</summary>
    public IReadOnlyList<string> RewarmedAdapters { get; init; } = [];

    /// <summary>Every cold shape verification met, in the order found.</summary>
    public IReadOnlyList<ColdShape> ColdShapes { get; init; } = [];

    /// <summary>True when round 1 started from the target's learned shape map.</summary>
    public bool FromShapeMap { get; init; }

    /// <summary>The prompt lengths of the shape map round 1 started from (empty without one), so the next map keeps them.</summary>
    public IReadOnlyList<int> MapLengths { get; init; } = [];

    /// <summary>Warm-ups the shape map round 1 started from has seen (<see cref="ShapeMaps.ShapeMap.Runs"/>); 0 without one.</summary>
    public int MapRuns { get; init; }

    /// <summary>
    /// Prompt lengths whose warm-up request paid a cold path, plus the lengths verification found cold
    /// (<see cref="PaidColdPaths.Lengths"/>): what the shape map keeps.
    /// </summary>
    public IReadOnlyList<int> PaidLengths { get; init; } = [];

    /// <summary>
    /// Whether the KV-footprint burst paid a cold path or could not be judged (true), answered within the steady
    /// prefill of its tokens (false; <see cref="PaidColdPaths.KvFootprintPaid"/>), or was not sent (null). A run from a
    /// map that had left the burst out carries the map's false.
    /// </summary>
    public bool? KvFootprintPaid { get; init; }

    /// <summary>
    /// Batch sizes the run's staircases stalled on (<see cref="StaircaseStalls"/>): the sizes the server captured or
    /// compiled on first use. Null until a staircase was measured (or where the dialect sends bursts instead).
    /// </summary>
    public IReadOnlyList<int>? StalledBatchSizes { get; init; }

    /// <summary>The batch sizes the shape map round 1 started from had learned (null without one), so the next map keeps them when nothing stalled.</summary>
    public IReadOnlyList<int>? MapStalledBatchSizes { get; init; }

    /// <summary>What users sent the target (observed by the idle timer), covered first by every round's plan and verification; null when unknown.</summary>
    public Traffic.ObservedTraffic? Traffic { get; init; }

    /// <summary>
    /// The adapters this loop warms and verifies (configured plus those the server lists, within what it holds at once);
    /// null: the target's configured ones.
    /// </summary>
    public IReadOnlyList<string>? Adapters { get; init; }

    /// <summary>Round 1's adapter choice (configured, discovered, left out, capacity), for the report's adapters field.</summary>
    public Adapters.AdapterSelection? AdapterChoice { get; init; }

    /// <summary>What the loop decided and why (budget trims, fallbacks, adapters that cannot all be resident).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>
/// A cold shape the verification met. <see cref="Kind"/> is prefill (a prompt length), batch (a concurrency) or adapter.
/// <see cref="Low"/>..<see cref="High"/> is the region the loop refined: the nearest warm lengths (or concurrencies)
/// around it when it was found.
/// </summary>
public sealed record ColdShape(string Kind, int? Size, string? Adapter, int FoundInRound, int Low, int High)
{
    /// <summary>The round whose verification first found this region warm again; null while it is still cold.</summary>
    public int? WarmedInRound { get; init; }

    public string Describe() => Kind switch
    {
        ColdShapeKinds.Adapter => $"adapter '{Adapter}'",
        ColdShapeKinds.Batch => $"batch size {Size}",
        _ => $"prompt length {Size} (between {Low} and {High} tokens)",
    };
}

public static class ColdShapeKinds
{
    public const string Prefill = "prefill";
    public const string Batch = "batch";
    public const string Adapter = "adapter";
}

/// <summary>Why the adaptive loop stopped: warm, or which budget ended it.</summary>
public static class LoopStops
{
    public const string Warm = "warm";
    public const string Rounds = "round-limit";
    public const string Tokens = "token-budget";
    public const string Time = "time-budget";

    /// <summary>Cold shapes remain but nothing more can be done about them (e.g. more adapters than the server holds at once).</summary>
    public const string NothingToRefine = "nothing-to-refine";

    /// <summary>The run failed or the target never became ready before the loop could judge.</summary>
    public const string Failed = "failed";

    /// <summary>A run guard ended the run (the target stayed busy with users, or too many requests failed).</summary>
    public const string EndedEarly = "ended-early";
}
