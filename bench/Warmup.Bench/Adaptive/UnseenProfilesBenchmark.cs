using Warmup.Core.Planning;
using Warmup.Simulator;

namespace Warmup.Bench.Adaptive;

/// <summary>
/// The adaptive loop against simulator profiles it was never tuned on (bench/profiles/unseen, written after the loop's
/// rules were set and not used to change them): evenly spaced 384-token buckets with triangular capture sizes,
/// buckets growing by half, a 32 k context, every batch size captured with two adapters. The same measurement as
/// <see cref="AdaptiveBenchmark"/>: no warm-up, the loop, and the loop again with its shape map known.
/// </summary>
public sealed class UnseenProfilesBenchmark : AdaptiveBenchmark
{
    public const string Folder = "bench/profiles/unseen";

    public override string Name => "adaptive-unseen";

    protected override IReadOnlyList<string> Cases { get; } = [None, PlanPresets.Adaptive];

    protected override bool CountsFalseAlarms => false;

    protected override string Description
        => $"The adaptive benchmark on held-out profiles ({Folder}, not used to set the loop's rules): the warm-up's cost (verification counted " +
           "separately), then the user-like mix twice (offsets no warm-up verified) and the cold penalties the simulator counted in /metrics meanwhile; " +
           "maxTokensPerRun is the default (50 context windows, at least 400 k tokens).";

    protected override IReadOnlyList<SimulatorProfile> Profiles()
        => Directory.GetFiles(Folder, "*.json").Order(StringComparer.Ordinal).Select(SimulatorProfile.Load).ToList();
}
