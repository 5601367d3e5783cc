namespace Warmup.Core.Planning;

/// <summary>An ordered list of steps. Steps with the same concurrency form a level; levels run in order of appearance.</summary>
public sealed record WarmupPlan(string Name, IReadOnlyList<PlanStep> Steps);
