using Warmup.Core.Analysis;
using Warmup.Core.Planning;
using Warmup.Core.Readiness;
using Warmup.Core.Reporting;

namespace Warmup.Core.Tests.Reporting;

internal static class SampleReports
{
    public static readonly DateTimeOffset Started = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static StepResult Step(int prompt, int concurrency, string phase = Phases.Warmup, int failed = 0) => new()
    {
        Step = new PlanStep(prompt, 8, concurrency),
        Phase = phase,
        Requests = concurrency,
        Succeeded = concurrency - failed,
        TtftMs = new LatencySummary(concurrency - failed, 50, 60, 70, 71),
        InterTokenMs = new LatencySummary(7 * (concurrency - failed), 10, 12, 14, 15),
        E2eMs = new LatencySummary(concurrency - failed, 120, 130, 140, 141),
        ErrorsByOutcome = failed == 0 ? new Dictionary<string, int>() : new Dictionary<string, int> { ["HttpError:503"] = failed },
        PromptTokens = prompt * concurrency,
        OutputTokens = 8 * (concurrency - failed),
        WallMs = 150,
    };

    public static WarmupReport Warm()
    {
        var verdict = new Verdict(55, 50, 1.1, 1.2, true, "worst ratio 1.10x at 136 prompt tokens, within 1.20x")
        {
            ByLength = [new LengthVerdict(48, 52, 50, 1.04), new LengthVerdict(136, 55, 50, 1.1)],
            WorstPromptTokens = 136,
        };
        return new ReportBuilder("warmup-vllm-a", "corr-1", "vllm-a", "manual", "light", Started)
            .WithTarget("openai", "llama")
            .WithReadiness(new ReadinessResult(true, 1234.5, 3, null, 4096))
            .WithPlan(new WarmupPlan("light", [new PlanStep(64, 16, 1)]) { Notes = ["a note"] })
            .AddSteps([Step(64, 1), Step(32, 2, failed: 1)])
            .WithVerification(
                Step(136, 1, Phases.Verify) with { PromptLengths = [48, 136] },
                Step(136, 1, Phases.Steady) with { PromptLengths = [48, 136] },
                verdict)
            .WithAdapters(new AdapterReport(["sql-lora"], ["chat-lora", "code-lora"], ["sql-lora", "chat-lora"], ["code-lora"], 2))
            .Build(Started.AddSeconds(12.5));
    }
}
