using Warmup.Core.Readiness;
using Warmup.Core.Reporting;

namespace Warmup.Functions.Tests.Support;

internal static class Reports
{
    public static WarmupReport Report(string target, string plan, string outcome, int requests = 10) => new()
    {
        RunId = $"warmup-{target}",
        CorrelationId = "c",
        Target = target,
        Dialect = "openai",
        Model = "test-model",
        Reason = "idle",
        Plan = plan,
        Outcome = outcome,
        Readiness = new ReadinessResult(true, 10, 1, null),
        Totals = new RunTotals(requests, 0, 100, 100, new Dictionary<string, int>()),
    };
}
