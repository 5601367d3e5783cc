namespace Warmup.Core.ShapeMaps;

/// <summary>
/// What the adaptive loop learned about one target's compiled shapes, so the next warm-up of the same target and model
/// starts from it and normally finishes in one round. It belongs to one model: <see cref="Model"/> and
/// <see cref="MaxContext"/> as the server reported them when it was learned; a change of either discards it.
/// </summary>
/// <param name="PromptLengths">
/// Base-model prompt lengths that, sent one by one, touch every prefill shape the loop found: the lengths that paid a
/// cold path (<see cref="ShapeMapLearning"/>); empty: the coarse ladder. Maps learned before that rule hold more
/// lengths (every gap within the spacing) and are replayed as they are.
/// </param>
/// <param name="Spacing">Rung spacing (tokens) the server needed; null when the coarse ladder was enough.</param>
/// <param name="StaircaseTop">Decode batch sizes 1..this were passed by a staircase (or bursts).</param>
/// <param name="BatchSizes">Batch sizes that needed bursts of their own besides the staircase.</param>
/// <param name="Adapters">Adapters that were cold on first use.</param>
/// <param name="RoundsToWarm">Rounds the loop needed when it learned this; null when it ended before warmth.</param>
public sealed record ShapeMap(
    string Target,
    string Model,
    int? MaxContext,
    IReadOnlyList<int> PromptLengths,
    int? Spacing,
    int StaircaseTop,
    IReadOnlyList<int> BatchSizes,
    IReadOnlyList<string> Adapters,
    DateTimeOffset LearnedAt,
    int? RoundsToWarm)
{
    public const string CurrentSchema = "warmup.shape-map/v1";

    public string Schema { get; init; } = CurrentSchema;

    /// <summary>
    /// Whether round 1 sends the KV-footprint burst: false only when the last one answered within the steady prefill of
    /// its tokens (the server does not grow its KV cache on demand). Added later with the same schema: a stored map
    /// without it reads as true, the behaviour it was learned with.
    /// </summary>
    public bool KvFootprint { get; init; } = true;

    /// <summary>
    /// The batch sizes the last run's staircases stalled on (<see cref="Adaptive.StaircaseStalls"/>); round 1 then holds
    /// those and passes the others once (<see cref="Adaptive.StaircaseBurst.Learned"/>). Null (unknown): the full staircase.
    /// Added later with the same schema: a stored map without it reads as null.
    /// </summary>
    public IReadOnlyList<int>? StalledBatchSizes { get; init; }

    /// <summary>
    /// Warm-ups of this target that learned or started from this map. Each run's verification samples other lengths
    /// (<see cref="Planning.VerificationPlan.LengthSample"/>), so a bucket one run's sample missed is looked for again by the
    /// next, and once found it joins the map. Added later with the same schema: a stored map without it reads as 1.
    /// </summary>
    public int Runs { get; init; } = 1;

    /// <summary>Whether this map was learned for the model the server serves now.</summary>
    public bool Fits(string model, int? maxContext) => string.Equals(Model, model, StringComparison.Ordinal) && MaxContext == maxContext;
}
