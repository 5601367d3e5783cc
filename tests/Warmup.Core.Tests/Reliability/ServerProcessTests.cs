using Warmup.Core.Dialects.Metrics;
using Warmup.Core.Reliability;

namespace Warmup.Core.Tests.Reliability;

public sealed class ServerProcessTests
{
    private const string Requests = "vllm:request_success_total";

    [Fact]
    public void A_changed_start_time_is_a_restart_and_an_unchanged_one_the_same_process_whatever_the_counter_says()
    {
        var before = new ServerProcess(1_764_300_000.25, Requests, 500);

        Assert.True(ServerProcess.Compare(before, new ServerProcess(1_764_300_090.5, Requests, 900), succeededSince: 10).Restarted);
        var same = ServerProcess.Compare(before, new ServerProcess(1_764_300_000.25, Requests, 3), succeededSince: 10);
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
        var check = ServerProcess.Compare(new ServerProcess(null, Requests, 500), new ServerProcess(null, Requests, after), succeededSince: 10);

        Assert.Equal(restarted, check.Restarted);
        Assert.Contains(Requests, check.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_to_compare_is_unknown()
    {
        Assert.Null(ServerProcess.Compare(null, new ServerProcess(1_764_300_000, Requests, 3), 0).Restarted);
        Assert.Null(ServerProcess.Compare(new ServerProcess(null, null, 0), new ServerProcess(null, null, 0), 0).Restarted);
        // A different counter (the server's family changed behind the endpoint) is not a reading of the same series.
        Assert.Null(ServerProcess.Compare(new ServerProcess(null, Requests, 5), new ServerProcess(null, "tgi_request_success", 900), 0).Restarted);
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
