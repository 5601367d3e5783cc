using System.Text.Json.Nodes;
using Warmup.Core.Planning;
using Warmup.Core.Targets;
using Warmup.Simulator;

namespace Warmup.Bench.Engine;

/// <summary>
/// A simulator profile and the target an operator would configure in front of it, written as a targets file entry
/// and read through the product's own target validation. Only many-buckets needs per-target shapes: its server
/// compiles a prefill shape every 512 tokens and captures decode graphs every 8 up to 64, which the full preset's
/// defaults (powers of two, vLLM's capture sizes up to 32) do not know. Those shapes are stated here as an operator
/// states them from the server's launch settings; nothing is read from the simulator's profile object.
/// </summary>
internal sealed record BenchProfile(string Name, SimulatorProfile Simulator, ServerShapes? Shapes)
{
    public static IReadOnlyList<string> Names => SimulatorProfile.BuiltinNames;

    public static BenchProfile For(string name) => new(name, SimulatorProfile.Builtin(name), name == "many-buckets" ? ServerShapes.ManyBuckets : null);

    public int MaxConcurrency => Shapes?.MaxConcurrency ?? new TargetLimits().MaxConcurrency;

    public static PlanSpec Spec(string plan) => PlanSpec.FromPreset(plan);

    public WarmupTarget Target(string name, Uri baseUrl)
    {
        var entry = new JsonObject
        {
            ["name"] = name,
            ["baseUrl"] = baseUrl.ToString(),
            ["model"] = Simulator.Model,
            ["adapters"] = new JsonArray(Simulator.LoraAdapters.Select(a => (JsonNode)a.Name).ToArray()),
            ["limits"] = new JsonObject
            {
                ["maxConcurrency"] = MaxConcurrency,
                ["readyDeadline"] = "00:02:00",
                ["requestTimeout"] = "00:05:00",
            },
        };
        if (Shapes is { } shapes)
        {
            entry["promptBuckets"] = new JsonArray(shapes.PromptBuckets.Select(b => (JsonNode)b).ToArray());
            entry["batchSizes"] = new JsonArray(shapes.BatchSizes.Select(s => (JsonNode)s).ToArray());
        }

        var catalog = TargetCatalog.Parse(new JsonArray(entry).ToJsonString(), $"bench target '{name}'");
        return catalog.Problems.Count == 0
            ? catalog.Targets.Single()
            : throw new InvalidOperationException(string.Join("; ", catalog.Problems));
    }
}

/// <summary>The shapes an operator configures for a target whose server compiles other shapes than the defaults.</summary>
internal sealed record ServerShapes(IReadOnlyList<int> PromptBuckets, IReadOnlyList<int> BatchSizes, int MaxConcurrency)
{
    /// <summary>A prefill shape every 512 tokens up to 8192; decode graphs at 1, 2, 4, then every 8 up to 64.</summary>
    public static ServerShapes ManyBuckets { get; } = new(
        Enumerable.Range(1, 16).Select(i => i * 512).ToArray(),
        [1, 2, 4, .. Enumerable.Range(1, 8).Select(i => i * 8)],
        64);
}
