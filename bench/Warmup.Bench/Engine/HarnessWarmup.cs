using Warmup.Core.Planning;

namespace Warmup.Bench.Engine;

/// <summary>
/// Warms the benchmark process itself (JIT of the probe, HTTP and engine code paths) with one discarded run, so the
/// first measured case is not charged for .NET's own cold start.
/// </summary>
internal static class HarnessWarmup
{
    public static Task RunAsync(CaseRunner runner, CancellationToken cancellationToken)
        => runner.RunAsync(BenchProfile.For("lora"), PlanPresets.Light, 0.05, 1, 1.2, cancellationToken);
}
