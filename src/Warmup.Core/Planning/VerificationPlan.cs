namespace Warmup.Core.Planning;

/// <summary>
/// What the Verify activity sends after the plan: one first-user-like probe per length (fresh salt, one at a time),
/// then <see cref="SteadyRepeats"/> more per length (fresh salts again) as the steady baseline.
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

    public int Requests => PromptLengths.Count * (1 + SteadyRepeats);

    public long TokenCost => PromptLengths.Sum(l => (long)(l + OutputTokens) * (1 + SteadyRepeats));

    public static VerificationPlan For(WarmupPlan plan, int? maxContext)
    {
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

        return new VerificationPlan(lengths, DefaultOutputTokens, DefaultSteadyRepeats);
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
