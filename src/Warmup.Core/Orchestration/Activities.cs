using Microsoft.DurableTask;
using Warmup.Core.Analysis;
using Warmup.Core.Planning;
using Warmup.Core.Readiness;
using Warmup.Core.Reporting;

namespace Warmup.Core.Orchestration;

// STUB (owned by the orchestration helper): each class moves to its own file when implemented.
// Activity classes are resolved from DI in both hosts; their function names are in TaskNames.

public sealed class WaitUntilReadyActivity : TaskActivity<string, ReadinessResult>
{
    public override Task<ReadinessResult> RunAsync(TaskActivityContext context, string target) => throw new NotImplementedException();
}

public sealed class ResolvePlanActivity : TaskActivity<ResolvePlanInput, WarmupPlan>
{
    public override Task<WarmupPlan> RunAsync(TaskActivityContext context, ResolvePlanInput input) => throw new NotImplementedException();
}

public sealed class RunStepActivity : TaskActivity<RunStepInput, StepResult>
{
    public override Task<StepResult> RunAsync(TaskActivityContext context, RunStepInput input) => throw new NotImplementedException();
}

public sealed class VerifyActivity : TaskActivity<VerifyInput, VerificationResult>
{
    public override Task<VerificationResult> RunAsync(TaskActivityContext context, VerifyInput input) => throw new NotImplementedException();
}

public sealed class RecordActivity : TaskActivity<WarmupReport, WarmupReport>
{
    public override Task<WarmupReport> RunAsync(TaskActivityContext context, WarmupReport report) => throw new NotImplementedException();
}
