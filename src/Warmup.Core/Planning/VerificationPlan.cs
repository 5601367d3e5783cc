namespace Warmup.Core.Planning;

/// <summary>
/// What the Verify activity sends after the plan: one first-user-like probe per length (fresh salt, one at a time) and
/// one per LoRA adapter the target serves, then <see cref="SteadyRepeats"/> more of each (fresh salts again) as the
/// steady baseline. Users call adapters too, and an adapter loads (and compiles) on its first request, so a warm base
/// model says nothing about them.
/// </summary>
/// <param name="PromptLengths">Log-spaced between 48 tokens and 75% of the context window, never on a plan step's length
/// (a length the plan sent exactly says nothing about the lengths users send).</param>
public sealed record VerificationPlan(IReadOnlyList<int> PromptLengths, int OutputTokens, int SteadyRepeats)
{
    public const int DefaultOutputTokens = 8;
    public const int DefaultSteadyRepeats = 3;
    public const int Points = 5;
    public const int ShortestLength = 48;
    public const double LongestFractionOfContext = 0.75;

    /// <summary>LoRA adapters probed besides the base model, each at <see cref="AdapterPromptLength"/>.</summary>
    public IReadOnlyList<string> Adapters { get; init; } = [];

    /// <summary>
    /// The middle verified length: off the plan's points like the others, and long enough that the steady TTFT it is
    /// compared with is well above client-side noise (an adapter's load cost does not depend on the length).
    /// </summary>
    public int AdapterPromptLength => PromptLengths.Count == 0 ? ShortestLength : PromptLengths[PromptLengths.Count / AdapterLengthQuantile];

    /// <summary>
    /// Which of the sorted lengths adapters are probed at: 2, the middle one (the fixed presets); the user-like mix takes
    /// the lower quartile, 4: an adapter's load costs the same at any length, and its three steady repeats at the middle
    /// of a mix that reaches the context's end cost about 20 k tokens a round for three adapters at 8 k context.
    /// </summary>
    public int AdapterLengthQuantile { get; init; } = 2;

    /// <summary>The user-like mix's <see cref="AdapterLengthQuantile"/> (the lower quartile).</summary>
    public const int MixAdapterLengthQuantile = 4;

    /// <summary>
    /// Concurrencies verified with bursts of that many requests released together (prompts of
    /// <see cref="BurstPromptTokens"/>): the burst's slowest first token against the same burst's steady value. Empty
    /// for the fixed presets' verification; the user-like mix (<see cref="UserLikeMix"/>) has them.
    /// </summary>
    public IReadOnlyList<int> Concurrencies { get; init; } = [];

    /// <summary>
    /// Each shape's steady samples are sent right after its first-user-like one (the user-like mix), rather than all
    /// first-user-like probes and then the steady rounds, so the comparison is local in time.
    /// </summary>
    public bool ShapeByShape { get; init; }

    /// <summary>
    /// Base-model lengths from this one up get <see cref="LongSteadyRepeats"/> steady samples instead of
    /// <see cref="SteadyRepeats"/>; null: every shape gets <see cref="SteadyRepeats"/> (the fixed presets).
    /// </summary>
    public int? LongFrom { get; init; }

    /// <summary>Steady samples of a length at or above <see cref="LongFrom"/>.</summary>
    public int LongSteadyRepeats { get; init; } = DefaultSteadyRepeats;

    /// <summary>
    /// Steady samples sent for a probe of <paramref name="promptTokens"/> (an adapter probe when <paramref name="adapter"/>
    /// is set, always <see cref="SteadyRepeats"/>). Bursts always get <see cref="SteadyRepeats"/>.
    /// </summary>
    public int SteadyRepeatsFor(int promptTokens, string? adapter)
        => adapter is null && LongFrom is { } from && promptTokens >= from ? LongSteadyRepeats : SteadyRepeats;

    public int Requests => PromptLengths.Sum(l => 1 + SteadyRepeatsFor(l, null)) + (Adapters.Count * (1 + SteadyRepeats)) + (Concurrencies.Sum() * (1 + SteadyRepeats));

    public long TokenCost
        => PromptLengths.Sum(l => ((long)l + OutputTokens) * (1 + SteadyRepeatsFor(l, null)))
           + (Adapters.Count * ((long)AdapterPromptLength + OutputTokens) * (1 + SteadyRepeats))
           + (Concurrencies.Sum(c => (long)c * (BurstPromptTokens + OutputTokens)) * (1 + SteadyRepeats));

    /// <summary>
    /// Steady samples of the user-like mix's long lengths (from a quarter of the longest prompt up). The steady
    /// repeats of long prompts were most of the loop's cost; one is enough for them because a long TTFT's noise is
    /// proportional and small against the threshold (a cold one must also be over the threshold, 1.2x and more, not
    /// only over the noise), and the run still measures its noise on the shorter lengths, adapters and bursts, which keep
    /// <see cref="DefaultSteadyRepeats"/>.
    /// </summary>
    public const int MixLongSteadyRepeats = 1;

    /// <summary>The share of the longest prompt from which the mix's lengths count as long (<see cref="MixLongSteadyRepeats"/>).</summary>
    public const double MixLongFraction = 0.25;

    /// <summary>Prompt length of the concurrency bursts: short, so the burst measures the batch size, not a prefill shape.</summary>
    public const int BurstPromptTokens = 32;

    /// <summary>Prompt lengths of the user-like mix per round.</summary>
    public const int MixPoints = 8;

    /// <summary>Of the <see cref="MixPoints"/> lengths, those placed in users' observed prompt range when it is known.</summary>
    public const int ObservedPoints = 3;

    /// <summary>Concurrencies of the user-like mix per round.</summary>
    public const int MixBursts = 4;

    // Each round's points sit a golden-ratio step further along the log scale than the round before, so successive
    // rounds probe lengths (and concurrencies) the earlier ones did not, without any two rounds repeating.
    private const double GoldenStep = 0.6180339887498949;

    /// <summary>Samples of the mix's lengths one warm-up may use: more than its rounds can reach, so runs never share one.</summary>
    public const int LengthSamplesPerRun = 16;

    /// <summary>
    /// Which sample of lengths a round verifies with: each round its own, and each warm-up of a target its own run of
    /// them (<paramref name="earlierRuns"/>: the warm-ups of that target before this one). Verification samples lengths,
    /// so a narrow bucket between them can stay unseen; a warm-up that verified the same lengths as the last would miss
    /// it every time, one that verifies others may find it. Batch sizes need no such turn: every warm-up's staircase
    /// passes each of them.
    /// </summary>
    public static int LengthSample(int earlierRuns, int round) => (earlierRuns * LengthSamplesPerRun) + round;

    /// <summary>
    /// The user-like mix (docs/user-like-mix.md; the benchmarks use the same definition): <see cref="MixPoints"/>
    /// prompt lengths, half log-spaced from <see cref="ShortestLength"/> to the longest prompt a user can send in the
    /// context window and half evenly spaced over its upper seven eighths, every adapter at the middle length, and bursts at <see cref="MixBursts"/> concurrencies log-spaced from 2 to
    /// <paramref name="maxConcurrency"/> (which is always one of them). Round 0 includes both ends; each later round
    /// shifts the points so the loop keeps looking where it has not looked. Lengths step aside from the plan's own.
    /// </summary>
    /// <param name="traffic">
    /// What users were observed sending, when known: <see cref="ObservedPoints"/> of the lengths then lie in their prompt
    /// range and are sent first, and a burst at their peak concurrency (capped by <paramref name="maxConcurrency"/>)
    /// is the first burst. The mix keeps its size, so it costs no more.
    /// </param>
    /// <param name="earlierRuns">Warm-ups of the same target before this one: its lengths are another sample (<see cref="LengthSample"/>).</param>
    public static VerificationPlan UserLikeMix(
        WarmupPlan plan, int? maxContext, IReadOnlyList<string> adapters, int maxConcurrency, int round, Traffic.ObservedTraffic? traffic = null, int earlierRuns = 0)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(adapters);
        var context = maxContext ?? PlanPresets.DefaultContext;
        var ceiling = Math.Max(1, context - DefaultOutputTokens);
        var longest = Math.Clamp(FullPlan.LongestPrompt(context), 1, ceiling);
        var shortest = Math.Min(ShortestLength, longest);
        var avoid = plan.Steps.Where(s => s.Adapter is null).Select(s => s.PromptTokens).ToHashSet();
        // Half log-spaced (short prompts are common and their shapes are narrow), half evenly spaced over the upper
        // seven eighths (where evenly spaced buckets are most numerous and log-spaced points are sparse).
        var range = traffic?.PromptRange(longest);
        var sample = LengthSample(earlierRuns, round);
        var observed = range is { } r ? Positions(ObservedPoints, sample).Select(t => r.Low + (t * (r.High - r.Low))).ToList() : [];
        var spread = MixPoints - observed.Count;
        var candidates = Positions(spread / 2, sample)
            .Select(t => shortest * Math.Pow((double)longest / shortest, t))
            .Concat(EvenPositions(spread - (spread / 2), sample).Select(t => (longest / 8.0) + (t * (longest - (longest / 8.0)))));
        var lengths = new List<int>(MixPoints);
        foreach (var candidate in candidates)
        {
            // Never past the longest prompt: a refinement may have sent that one exactly, and one token more may not fit the window.
            var length = StepAside((int)Math.Round(candidate), avoid, lengths, longest);
            if (length > 0)
            {
                lengths.Add(length);
            }
        }

        var usersFirst = new List<int>(observed.Count);
        foreach (var candidate in observed)
        {
            // Stepped aside within the range (its ends are plan rungs), so every observed point stays where users are.
            var length = StepAside((int)Math.Round(candidate), avoid, [.. lengths, .. usersFirst], range!.Value.High, range.Value.Low);
            if (length > 0)
            {
                usersFirst.Add(length);
            }
        }

        var concurrencies = new SortedSet<int>();
        if (maxConcurrency >= 2)
        {
            concurrencies.Add(maxConcurrency);
            foreach (var t in Positions(MixBursts, round))
            {
                concurrencies.Add(Math.Clamp((int)Math.Round(2 * Math.Pow(maxConcurrency / 2.0, t)), 2, maxConcurrency));
            }
        }

        // Users' own peak first: the burst most like what they send, measured while nothing else has run.
        var peak = traffic is { MaxRunning: > 1 } ? Math.Min(traffic.MaxRunning, maxConcurrency) : 0;
        if (peak >= 2)
        {
            concurrencies.Add(peak);
        }

        return new VerificationPlan([.. usersFirst.Order(), .. lengths.Order()], DefaultOutputTokens, DefaultSteadyRepeats)
        {
            Adapters = adapters.Where(a => !string.IsNullOrWhiteSpace(a)).Distinct(StringComparer.Ordinal).ToList(),
            Concurrencies = peak >= 2 ? [peak, .. concurrencies.Where(c => c != peak)] : [.. concurrencies],
            ShapeByShape = true,
            AdapterLengthQuantile = MixAdapterLengthQuantile,
            LongFrom = Math.Max(ShortestLength + 1, (int)(longest * MixLongFraction)),
            LongSteadyRepeats = MixLongSteadyRepeats,
        };
    }

    /// <summary>
    /// Points in [0, 1) for the evenly spaced half: like <see cref="Positions"/> but never the top end, which the
    /// log-spaced half already has in round 0 (two lengths in the last bucket would only spend tokens).
    /// </summary>
    private static IEnumerable<double> EvenPositions(int points, int round)
    {
        var shift = round == 0 ? 0 : (round * GoldenStep) % 1.0;
        for (var i = 0; i < points; i++)
        {
            yield return (i + shift) / points;
        }
    }

    /// <summary>Points in [0, 1] along the log scale: both ends in round 0, shifted by the golden ratio in later rounds.</summary>
    private static IEnumerable<double> Positions(int points, int round)
    {
        var shift = round == 0 ? 0 : (round * GoldenStep) % 1.0;
        for (var i = 0; i < points; i++)
        {
            yield return round == 0 ? i / (double)Math.Max(1, points - 1) : Math.Min(1, (i + shift) / points);
        }
    }

    /// <summary>Verification of the base model only (a target without adapters).</summary>
    public static VerificationPlan For(WarmupPlan plan, int? maxContext) => For(plan, maxContext, []);

    /// <summary>Verification of the base model and of every adapter in <paramref name="adapters"/> (the target's).</summary>
    public static VerificationPlan For(WarmupPlan plan, int? maxContext, IReadOnlyList<string> adapters)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(adapters);
        var context = maxContext ?? PlanPresets.DefaultContext;
        var ceiling = Math.Max(1, context - DefaultOutputTokens);
        var longest = Math.Clamp((int)(context * LongestFractionOfContext), 1, ceiling);
        var shortest = Math.Min(ShortestLength, longest);
        var avoid = plan.Steps.Select(s => s.PromptTokens).ToHashSet();

        var lengths = new List<int>(Points);
        for (var i = 0; i < Points; i++)
        {
            var length = (int)Math.Round(shortest * Math.Pow((double)longest / shortest, i / (double)(Points - 1)));
            length = StepAside(length, avoid, lengths, ceiling);
            if (length > 0)
            {
                lengths.Add(length);
            }
        }

        return new VerificationPlan(lengths, DefaultOutputTokens, DefaultSteadyRepeats)
        {
            Adapters = adapters.Where(a => !string.IsNullOrWhiteSpace(a)).Distinct(StringComparer.Ordinal).ToList(),
        };
    }

    // Moves a length off the plan's own points (and off lengths already chosen): up first, down at the ceiling.
    private static int StepAside(int length, HashSet<int> avoid, List<int> chosen, int ceiling, int floor = 1)
    {
        for (var up = length; up <= ceiling; up++)
        {
            if (!avoid.Contains(up) && !chosen.Contains(up))
            {
                return up;
            }
        }

        for (var down = length - 1; down >= floor; down--)
        {
            if (!avoid.Contains(down) && !chosen.Contains(down))
            {
                return down;
            }
        }

        return 0;
    }
}
