using Microsoft.DurableTask;
using Warmup.Core.Reporting;

namespace Warmup.Core.Orchestration;

/// <summary>
/// STUB (owned by the orchestration helper). The one warm-up flow, registered by both hosts under
/// <see cref="TaskNames.WarmupOrchestration"/>: WaitUntilReady, ResolvePlan, steps (fan-out per prompt length
/// within a concurrency level, levels in order), Verify, Record.
/// </summary>
public sealed class WarmupOrchestrator : TaskOrchestrator<WarmupRequest, WarmupReport>
{
    public override Task<WarmupReport> RunAsync(TaskOrchestrationContext context, WarmupRequest input)
        => throw new NotImplementedException();
}
