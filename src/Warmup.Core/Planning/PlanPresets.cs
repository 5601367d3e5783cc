using Warmup.Core.Targets;

namespace Warmup.Core.Planning;

/// <summary>
/// The built-in plans and the one place a <see cref="PlanSpec"/> becomes a concrete, validated <see cref="WarmupPlan"/>.
/// <list type="bullet">
/// <item><c>light</c>: one request, 64-token prompt, 16 output tokens. A cheap "is anything still loaded" touch
/// for idle re-warms; it does not claim to cover shapes.</item>
/// <item><c>seed</c>: the original script's plan, kept for comparison: four short prompts (~32 tokens) with max_tokens
/// 128, 256, 512 and 1024, at concurrency 1, 2 and 4: 28 requests, 13,440 output tokens at most.</item>
/// <item><c>adaptive</c> (the default, <see cref="Default"/>): a closed loop. Starts from the target's learned shape map
/// or the coarse ladder, verifies with the user-like mix, refines around what is still cold and verifies again, until
/// warm or a budget ends it (see <see cref="Adaptive.AdaptiveWarmup"/>).</item>
/// <item><c>full</c>: the fixed ladder, kept for comparison: every compiled shape a user can reach on a server with vLLM's
/// default shapes, with as few tokens as possible (see <see cref="FullPlan"/>).</item>
/// </list>
/// </summary>
public static class PlanPresets
{
    public const string Adaptive = "adaptive";
    public const string Full = "full";
    public const string Light = "light";
    public const string Seed = "seed";

    /// <summary>Context window assumed when the server does not report one.</summary>
    public const int DefaultContext = 4096;

    /// <summary>
    /// The plan deployment and manual warm-ups, the CLI and the idle timer's escalation use when none is named. The one
    /// place to change it.
    /// </summary>
    public const string Default = Adaptive;

    /// <summary>The one list of preset names: the HTTP API, plan files and the CLI accept exactly these.</summary>
    public static IReadOnlyList<string> Names { get; } = [Adaptive, Full, Light, Seed];

    /// <summary>The preset named by <paramref name="name"/> (case and surrounding spaces ignored), or null.</summary>
    public static string? Find(string? name)
    {
        var normalized = name?.Trim().ToLowerInvariant();
        return Names.FirstOrDefault(n => string.Equals(n, normalized, StringComparison.Ordinal));
    }

    /// <summary>
    /// Builds the plan for <paramref name="target"/> and validates it (<see cref="PlanValidator"/>).
    /// <paramref name="maxContext"/> is the context window the server reported, or null.
    /// </summary>
    /// <exception cref="PlanValidationException">Unknown preset, or a plan that cannot run against the target.</exception>
    public static WarmupPlan Resolve(PlanSpec spec, WarmupTarget target, int? maxContext)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(target);
        var plan = spec.Steps is { } steps
            ? new WarmupPlan(string.IsNullOrWhiteSpace(spec.Preset) ? "custom" : spec.Preset, steps)
            : Build(spec, target, maxContext);
        return PlanValidator.Validate(plan, target, maxContext);
    }

    private static WarmupPlan Build(PlanSpec spec, WarmupTarget target, int? maxContext) => spec.Preset switch
    {
        Light => LightPlan(),
        Seed => SeedPlan(),
        Full => FullPlan.Build(target, maxContext),
        // The loop's first round as if nothing were learned yet (what validation and previews see); the orchestration
        // plans the real rounds itself (AdaptiveWarmup).
        Adaptive => Core.Adaptive.RoundPlanner.First(spec, target, maxContext, forcesOutputLength: true, map: null, Core.Adaptive.AdaptiveBudget.For(spec, target, maxContext)).Plan,
        _ => throw new PlanValidationException(
            $"unknown plan preset '{spec.Preset}'; known presets: {string.Join(", ", Names)} (or give explicit steps in a plan file)"),
    };

    public static WarmupPlan LightPlan() => new(Light, [new PlanStep(PromptTokens: 64, MaxOutputTokens: 16, Concurrency: 1)]);

    public static WarmupPlan SeedPlan()
    {
        int[] concurrencies = [1, 2, 4];
        int[] maxTokens = [128, 256, 512, 1024];
        var steps = concurrencies
            .SelectMany(c => maxTokens.Select(m => new PlanStep(PromptTokens: 32, MaxOutputTokens: m, Concurrency: c)))
            .ToList();
        return new WarmupPlan(Seed, steps);
    }
}
