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
    public int AdapterPromptLength => PromptLengths.Count == 0 ? ShortestLength : PromptLengths[PromptLengths.Count / 2];

    public int Requests => (PromptLengths.Count + Adapters.Count) * (1 + SteadyRepeats);

    public long TokenCost
        => (PromptLengths.Sum(l => (long)l + OutputTokens) + (Adapters.Count * ((long)AdapterPromptLength + OutputTokens))) * (1 + SteadyRepeats);

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
    private static int StepAside(int length, HashSet<int> avoid, List<int> chosen, int ceiling)
    {
        for (var up = length; up <= ceiling; up++)
        {
            if (!avoid.Contains(up) && !chosen.Contains(up))
            {
                return up;
            }
        }

        for (var down = length - 1; down >= 1; down--)
        {
            if (!avoid.Contains(down) && !chosen.Contains(down))
            {
                return down;
            }
        }

        return 0;
    }
}
