namespace Warmup.Simulator;

/// <summary>What is warm right now (GET /sim/state).</summary>
public sealed record SimulatorState(
    bool Initialised,
    IReadOnlyList<int> CompiledBuckets,
    IReadOnlyList<int> CapturedGraphSizes,
    long KvHighWaterBlocks,
    IReadOnlyList<string> LoadedAdapters);
