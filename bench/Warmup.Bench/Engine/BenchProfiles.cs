using Warmup.Core.Planning;
using Warmup.Core.Targets;
using Warmup.Simulator;

namespace Warmup.Bench.Engine;

/// <summary>
/// A simulator profile and how a user would configure the target in front of it. Only many-buckets needs per-target
/// plan settings: its server compiles a prefill shape every 512 tokens and captures decode graphs up to 64, which the
/// full preset's defaults (powers of two, vLLM's capture sizes up to 32) do not know; the README of Planning says to set
/// PromptBuckets and BatchSizes per target for such servers, and the concurrency limit must reach the largest size.
/// </summary>
internal sealed record BenchProfile(string Name, SimulatorProfile Simulator, int MaxConcurrency, IReadOnlyList<int>? PromptBuckets, IReadOnlyList<int>? BatchSizes)
{
    public static IReadOnlyList<string> Names => SimulatorProfile.BuiltinNames;

    public static BenchProfile For(string name)
    {
        var simulator = SimulatorProfile.Builtin(name);
        return name == "many-buckets"
            ? new BenchProfile(name, simulator, simulator.CudaGraphCaptureSizes.Max(), simulator.PrefillBuckets, simulator.CudaGraphCaptureSizes)
            : new BenchProfile(name, simulator, TargetLimitsDefaults.MaxConcurrency, null, null);
    }

    public PlanSpec Spec(string plan) => plan == PlanPresets.Full
        ? new PlanSpec(PlanPresets.Full, PromptBuckets: PromptBuckets, BatchSizes: BatchSizes)
        : PlanSpec.FromPreset(plan);

    public WarmupTarget Target(string name, Uri baseUrl) => new()
    {
        Name = name,
        BaseUrl = baseUrl,
        Model = Simulator.Model,
        Adapters = Simulator.LoraAdapters.Select(a => a.Name).ToList(),
        Limits = new TargetLimits
        {
            MaxConcurrency = MaxConcurrency,
            ReadyDeadline = TimeSpan.FromMinutes(2),
            RequestTimeout = TimeSpan.FromMinutes(5),
        },
    };

    private static class TargetLimitsDefaults
    {
        public static int MaxConcurrency { get; } = new TargetLimits().MaxConcurrency;
    }
}
