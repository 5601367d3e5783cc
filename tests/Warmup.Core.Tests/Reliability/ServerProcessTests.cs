using Warmup.Core.Dialects.Metrics;
using Warmup.Core.Reliability;
using Warmup.Core.Tests.Reporting;

namespace Warmup.Core.Tests.Reliability;

public sealed class ServerProcessTests
{
    private const string Requests = "vllm:request_success_total";

    [Fact]
    public void A_changed_start_time_is_a_restart_and_an_unchanged_one_the_same_process_whatever_the_counter_says()
    {
        var before = new ServerProcess(1_764_300_000.25, Requests, 500);

        Assert.True(ServerProcess.Compare(before, new ServerProcess(1_764_300_090.5, Requests, 900), new Served(10, 2560)).Restarted);
        var same = ServerProcess.Compare(before, new ServerProcess(1_764_300_000.25, Requests, 3), new Served(10, 2560));
        Assert.False(same.Restarted);
        Assert.Contains("process_start_time_seconds unchanged", same.Evidence, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(510, false)]
    [InlineData(640, false)]
    [InlineData(509, true)]
    [InlineData(2, true)]
    public void Without_start_times_a_counter_below_what_the_same_process_has_counted_since_is_a_restart(double after, bool restarted)
    {
        // 500 before, and 10 of the run's requests succeeded since: the same process reads 510 or more.
        var check = ServerProcess.Compare(new ServerProcess(null, Requests, 500), new ServerProcess(null, Requests, after), new Served(10, 2560));

        Assert.Equal(restarted, check.Restarted);
        Assert.Contains(Requests, check.Evidence, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3_940, false)]
    [InlineData(3_939, true)]
    [InlineData(200, true)]
    public void A_token_counter_is_compared_with_the_tokens_generated_since_not_the_requests(double after, bool restarted)
    {
        // 100 tokens before; since then 15 requests succeeded with 3,840 tokens: a young server restarted and then busy
        // with a few users' requests (200 tokens) would pass a comparison with the 15 requests.
        const string tokens = "llamacpp:tokens_predicted_total";

        var check = ServerProcess.Compare(new ServerProcess(null, tokens, 100), new ServerProcess(null, tokens, after), new Served(15, 3_840));

        Assert.Equal(restarted, check.Restarted);
    }

    [Fact]
    public void Between_levels_only_a_changed_start_time_or_a_counter_that_fell_is_certainly_a_restart()
    {
        // No request failed and nothing is known of what the server served users since: only what a single process
        // can never show counts.
        Assert.NotNull(ServerProcess.CertainRestart(new ServerProcess(1_764_300_000, Requests, 5), new ServerProcess(1_764_300_042, Requests, 900)));
        var fell = ServerProcess.CertainRestart(new ServerProcess(null, Requests, 500), new ServerProcess(null, Requests, 499));
        Assert.Contains("was 500 and reads 499", fell!.Evidence, StringComparison.Ordinal);

        Assert.Null(ServerProcess.CertainRestart(new ServerProcess(1_764_300_000, Requests, 500), new ServerProcess(1_764_300_000, Requests, 3)));
        // Replicas behind one address: a process that started earlier, or no later than one seen already, is not new.
        Assert.Null(ServerProcess.CertainRestart(new ServerProcess(1_764_300_042, Requests, 5), new ServerProcess(1_764_300_000, Requests, 900)));
        Assert.Null(ServerProcess.CertainRestart(new ServerProcess(1_764_300_000, Requests, 5), new ServerProcess(1_764_300_042, Requests, 900), latestStart: 1_764_300_042));
        Assert.NotNull(ServerProcess.CertainRestart(new ServerProcess(1_764_300_000, Requests, 5), new ServerProcess(1_764_300_090, Requests, 900), latestStart: 1_764_300_042));
        Assert.Null(ServerProcess.CertainRestart(new ServerProcess(null, Requests, 500), new ServerProcess(null, Requests, 500)));
        Assert.Null(ServerProcess.CertainRestart(null, new ServerProcess(null, Requests, 0)));
        Assert.Null(ServerProcess.CertainRestart(new ServerProcess(null, null, 0), new ServerProcess(null, null, 0)));
    }

    [Fact]
    public void What_was_served_counts_the_requests_that_succeeded_and_every_token_streamed()
    {
        var whole = SampleReports.Step(64, 4) with { OutputTokens = 1_024 };
        var partly = SampleReports.Step(64, 4, failed: 3) with { OutputTokens = 700 };

        Assert.Equal(new Served(5, 1_724), Served.Of([whole, partly]));
    }

    [Fact]
    public void Nothing_to_compare_is_unknown()
    {
        Assert.Null(ServerProcess.Compare(null, new ServerProcess(1_764_300_000, Requests, 3), default).Restarted);
        Assert.Null(ServerProcess.Compare(new ServerProcess(null, null, 0), new ServerProcess(null, null, 0), default).Restarted);
        // A different counter (the server's family changed behind the endpoint) is not a reading of the same series.
        Assert.Null(ServerProcess.Compare(new ServerProcess(null, Requests, 5), new ServerProcess(null, "tgi_request_success", 900), default).Restarted);
    }

    [Fact]
    public void The_start_time_is_read_from_the_process_collector_and_only_when_the_page_has_one()
    {
        const string vllm = "vllm:num_requests_running{engine=\"0\"} 0\nvllm:request_success_total{engine=\"0\",finished_reason=\"stop\"} 7\n";

        var single = ServerLoadReader.Read(PrometheusText.Parse(vllm + "process_start_time_seconds 1.76430001234e+09\n"));
        var none = ServerLoadReader.Read(PrometheusText.Parse(vllm));
        var merged = ServerLoadReader.Read(PrometheusText.Parse(vllm + "process_start_time_seconds{pid=\"1\"} 1.7e9\nprocess_start_time_seconds{pid=\"2\"} 1.8e9\n"));

        Assert.Equal(1_764_300_012.34, single!.ProcessStartTimeSeconds!.Value, 3);
        Assert.Null(none!.ProcessStartTimeSeconds);
        Assert.Null(merged!.ProcessStartTimeSeconds);
    }
}
