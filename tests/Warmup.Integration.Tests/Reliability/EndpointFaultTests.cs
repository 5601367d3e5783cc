using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;

namespace Warmup.Integration.Tests.Reliability;

/// <summary>
/// Every simulator fault mode through the whole orchestration (in-process Durable engine, real HTTP): the outcome class
/// in the report, the run's end state, and its wall time against its deadline.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class EndpointFaultTests
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_503_burst_is_counted_and_the_run_recovers_warm()
    {
        await using var simulator = await FaultRun.StartSimulatorAsync("503-burst:3");

        var (report, wall) = await FaultRun.RunAsync(FaultRun.Target(simulator, RequestTimeout));

        Assert.True(report.Outcome == RunOutcomes.Warm, $"{report.Outcome}: {report.Verdict?.Reason} {report.Error}");
        Assert.Equal(3, report.Totals.ErrorsByOutcome["HttpError:503"]);
        Assert.Equal(3, report.Steps.Count);
        Assert.Equal(4, report.Steps[2].Succeeded);
        Assert.True(wall < TimeSpan.FromSeconds(30), $"took {wall}");
    }

    [Fact]
    public async Task A_429_holds_the_next_request_to_the_target_for_its_Retry_After_and_the_wait_is_reported()
    {
        await using var simulator = await FaultRun.StartSimulatorAsync("429:1@first=1");

        var (report, _) = await FaultRun.RunAsync(FaultRun.Target(simulator, RequestTimeout));

        Assert.Equal(RunOutcomes.Warm, report.Outcome);
        Assert.Equal(1, report.Totals.ErrorsByOutcome["HttpError:429"]);
        var arrivals = simulator.Log.Snapshot().OrderBy(r => r.ArrivalUnixNs).ToList();
        Assert.Equal(429, arrivals[0].Status);
        var gapMs = (arrivals[1].ArrivalUnixNs - arrivals[0].ArrivalUnixNs) / 1e6;
        Assert.True(gapMs >= 1000, $"the next request came {gapMs:F0} ms after the 429 with Retry-After: 1");
        // Both requests of the second level waited, in another activity than the one that got the 429.
        Assert.Equal(2, report.Steps[1].RetryAfterWaits);
        Assert.Equal(2, report.Totals.RetryAfterWaits);
        Assert.True(report.Totals.RetryAfterWaitMs >= 1600, $"waits reported: {report.Totals.RetryAfterWaitMs:F0} ms");
    }

    [Theory]
    [InlineData("hang:forever")]
    [InlineData("stall:30s@after=1")]
    public async Task A_server_that_hangs_or_stalls_aborts_the_run_after_three_timeouts_instead_of_waiting_out_every_request(string fault)
    {
        await using var simulator = await FaultRun.StartSimulatorAsync(fault);

        var (report, wall) = await FaultRun.RunAsync(FaultRun.Target(simulator, RequestTimeout));

        Assert.Equal(RunOutcomes.Aborted, report.Outcome);
        // Levels 1 and 2 (3 requests) each waited one timeout; level 3 and the verification were never sent.
        Assert.Equal(3, report.Totals.ErrorsByOutcome["Timeout"]);
        Assert.Equal(4, report.Totals.ErrorsByOutcome["NotSent"]);
        Assert.Null(report.FirstUserLike);
        Assert.Contains("abortFailedShare", report.Error, StringComparison.Ordinal);
        // Deadline: two levels of one request timeout each, plus engine overhead; not 7 + verification timeouts.
        Assert.True(wall < (2 * RequestTimeout) + TimeSpan.FromSeconds(8), $"took {wall}");
    }

    [Theory]
    [InlineData("reset@first=2", "ConnectionReset", 2)]
    [InlineData("malformed@first=1", "MalformedChunk", 1)]
    [InlineData("error-after-200@first=1", "StreamError", 1)]
    public async Task A_few_broken_streams_are_classified_and_the_run_completes_warm(string fault, string outcome, int count)
    {
        await using var simulator = await FaultRun.StartSimulatorAsync(fault);

        var (report, wall) = await FaultRun.RunAsync(FaultRun.Target(simulator, RequestTimeout));

        Assert.Equal(RunOutcomes.Warm, report.Outcome);
        Assert.Equal(count, report.Totals.ErrorsByOutcome[outcome]);
        Assert.Equal(count, report.Totals.Failed);
        Assert.NotNull(report.Steady);
        Assert.True(wall < TimeSpan.FromSeconds(30), $"took {wall}");
    }

    [Fact]
    public async Task A_server_that_fails_every_request_receives_ten_busy_answers_worth_not_the_whole_plan()
    {
        await using var simulator = await FaultRun.StartSimulatorAsync("503");

        var (report, _) = await FaultRun.RunAsync(FaultRun.Target(simulator, RequestTimeout));

        Assert.Equal(RunOutcomes.Aborted, report.Outcome);
        Assert.Equal(Core.Reliability.RunCircuit.MinBusyFailures, simulator.Log.Count);
        Assert.Equal(Core.Reliability.RunCircuit.MinBusyFailures, report.Totals.ErrorsByOutcome["HttpError:503"]);
        Assert.True(report.Totals.ErrorsByOutcome["NotSent"] > 0);
    }

    [Fact]
    public async Task A_server_that_dies_mid_run_ends_it_aborted_with_its_report_and_answers_again_afterwards()
    {
        await using var simulator = await FaultRun.StartSimulatorAsync("die:3s@every=2");

        var (report, wall) = await FaultRun.RunAsync(FaultRun.Target(simulator, RequestTimeout));

        Assert.Equal(RunOutcomes.Aborted, report.Outcome);
        Assert.Equal(1, report.Steps[0].Succeeded);
        Assert.True(report.Totals.ErrorsByOutcome["ConnectionReset"] >= 3);
        Assert.True(wall < TimeSpan.FromSeconds(15), $"took {wall}");

        // It comes back: within the outage's 3 s the same server answers again.
        using var http = new HttpClient { BaseAddress = simulator.BaseUrl };
        var deadline = DateTime.UtcNow.AddSeconds(6);
        var back = false;
        while (!back && DateTime.UtcNow < deadline)
        {
            try
            {
                back = (await http.GetAsync(new Uri("/health", UriKind.Relative))).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100);
            }
        }

        Assert.True(back, "the simulator did not come back after its outage");
    }

    [Fact]
    public async Task A_server_that_gets_slower_and_slower_is_aborted_once_most_requests_time_out()
    {
        await using var simulator = await FaultRun.StartSimulatorAsync("slower:100ms");

        var (report, wall) = await FaultRun.RunAsync(FaultRun.Target(simulator, TimeSpan.FromSeconds(1)));

        Assert.Equal(RunOutcomes.Aborted, report.Outcome);
        var failed = report.Totals.ErrorsByOutcome["Timeout"];
        var succeeded = report.Totals.Requests - report.Totals.Failed;
        // The circuit opened once timeouts outnumbered answers; the rest of the verification was not sent.
        Assert.Equal(succeeded + 1, failed);
        Assert.True(report.Totals.ErrorsByOutcome["NotSent"] > 0);
        Assert.True(wall < TimeSpan.FromSeconds(40), $"took {wall}");
    }

    [Fact]
    public async Task A_refused_key_is_reported_once_and_nothing_else_is_sent()
    {
        await using var simulator = await FaultRun.StartSimulatorAsync("none", apiKey: "the-right-key");
        var target = FaultRun.Target(simulator, RequestTimeout);

        var (report, _) = await FaultRun.RunAsync(
            target, configure: services => services.AddSingleton<IRequestAuthenticator>(new WrongKey()));

        Assert.Equal(RunOutcomes.Aborted, report.Outcome);
        Assert.Equal(1, report.Totals.Requests);
        Assert.Equal(1, report.Totals.ErrorsByOutcome["HttpError:401"]);
        Assert.Single(report.Steps);
        Assert.Null(report.FirstUserLike);
        Assert.Contains("refused the credentials (HTTP 401)", report.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-key", report.Error, StringComparison.Ordinal);
    }

    private sealed class WrongKey : IRequestAuthenticator
    {
        public ValueTask AuthenticateAsync(WarmupTarget target, HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "wrong-key");
            return ValueTask.CompletedTask;
        }
    }
}
