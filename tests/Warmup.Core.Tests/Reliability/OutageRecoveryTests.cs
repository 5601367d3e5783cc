using Warmup.Core.Analysis;
using Warmup.Core.Planning;
using Warmup.Core.Probing;
using Warmup.Core.Reliability;

namespace Warmup.Core.Tests.Reliability;

public sealed class OutageRecoveryTests
{
    private static StepResult Step(params ProbeOutcome[] outcomes) => StepAggregator.Summarize(
        new PlanStep(64, 8, outcomes.Length), Phases.Warmup,
        outcomes.Select(o => new ProbeResult { Outcome = o, StatusCode = o == ProbeOutcome.Ok ? 200 : null }).ToList(), wallMs: 10);

    [Fact]
    public void Refused_or_reset_connections_with_the_rest_held_back_say_the_server_is_gone()
    {
        Assert.True(OutageRecovery.ServerGone([Step(ProbeOutcome.Ok), Step(ProbeOutcome.ConnectionReset, ProbeOutcome.ConnectionReset)]));
        Assert.True(OutageRecovery.ServerGone([Step(ProbeOutcome.ConnectionRefused, ProbeOutcome.NotSent)]));
    }

    [Fact]
    public void Timeouts_errors_from_a_live_server_or_no_failure_do_not()
    {
        Assert.False(OutageRecovery.ServerGone([Step(ProbeOutcome.Ok, ProbeOutcome.Ok)]));
        Assert.False(OutageRecovery.ServerGone([Step(ProbeOutcome.ConnectionReset, ProbeOutcome.Timeout)]));
        Assert.False(OutageRecovery.ServerGone([Step(ProbeOutcome.Timeout, ProbeOutcome.NotSent)]));
        Assert.False(OutageRecovery.ServerGone([Step(ProbeOutcome.HttpError)]));
    }
}
