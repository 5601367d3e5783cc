using Warmup.Core.Probing;
using Warmup.Core.Reliability;

namespace Warmup.Core.Tests.Reliability;

public sealed class RunCircuitTests
{
    private const string Target = "t";
    private const string Run = "run-1";

    private static ProbeResult Ok => new() { Outcome = ProbeOutcome.Ok, StatusCode = 200 };

    private static ProbeResult Status(int status) => new() { Outcome = ProbeOutcome.HttpError, StatusCode = status };

    private static ProbeResult TimedOut => new() { Outcome = ProbeOutcome.Timeout };

    [Fact]
    public void Opens_on_the_third_costly_failure_when_failures_are_the_majority()
    {
        var circuit = new RunCircuit(TimeProvider.System);
        circuit.Record(Target, Run, 0.5, Ok);
        circuit.Record(Target, Run, 0.5, TimedOut);
        circuit.Record(Target, Run, 0.5, TimedOut);
        Assert.Null(circuit.OpenReason(Target, Run)); // 2 of 3: above the share but under the minimum

        circuit.Record(Target, Run, 0.5, TimedOut);

        Assert.Contains("3 of 4 requests failed", circuit.OpenReason(Target, Run), StringComparison.Ordinal);
        Assert.Null(circuit.OpenReason(Target, "another-run"));
        Assert.Null(circuit.OpenReason("another-target", Run));
    }

    [Fact]
    public void Reset_forgets_the_targets_runs_so_a_server_back_from_an_outage_is_judged_afresh()
    {
        var circuit = new RunCircuit(TimeProvider.System);
        foreach (var (target, run) in new[] { (Target, Run), ("other", Run) })
        {
            for (var i = 0; i < 3; i++)
            {
                circuit.Record(target, run, 0.5, TimedOut);
            }
        }

        circuit.Reset(Target);

        Assert.Null(circuit.OpenReason(Target, Run));
        Assert.NotNull(circuit.OpenReason("other", Run));
    }

    [Fact]
    public void Stays_closed_while_failures_are_at_most_the_share()
    {
        var circuit = new RunCircuit(TimeProvider.System);
        for (var i = 0; i < 5; i++)
        {
            circuit.Record(Target, Run, 0.5, Ok);
            circuit.Record(Target, Run, 0.5, TimedOut);
        }

        Assert.Null(circuit.OpenReason(Target, Run));
    }

    [Fact]
    public void Busy_answers_need_ten_before_the_circuit_opens()
    {
        var circuit = new RunCircuit(TimeProvider.System);
        for (var i = 0; i < RunCircuit.MinBusyFailures - 1; i++)
        {
            circuit.Record(Target, Run, 0.5, Status(i % 2 == 0 ? 503 : 429));
        }

        Assert.Null(circuit.OpenReason(Target, Run));
        circuit.Record(Target, Run, 0.5, Status(503));
        Assert.NotNull(circuit.OpenReason(Target, Run));
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public void A_refused_key_opens_it_at_once(int status)
    {
        var circuit = new RunCircuit(TimeProvider.System);
        circuit.Record(Target, Run, 0.5, Ok);

        circuit.Record(Target, Run, 0.5, Status(status));

        Assert.Contains($"refused the credentials (HTTP {status})", circuit.OpenReason(Target, Run), StringComparison.Ordinal);
    }

    [Fact]
    public void A_share_of_one_never_opens_on_failures()
    {
        var circuit = new RunCircuit(TimeProvider.System);
        for (var i = 0; i < 20; i++)
        {
            circuit.Record(Target, Run, 1.0, TimedOut);
        }

        Assert.Null(circuit.OpenReason(Target, Run));
    }
}
