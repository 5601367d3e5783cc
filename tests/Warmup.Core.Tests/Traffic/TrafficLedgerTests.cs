using System.Globalization;
using System.Text;
using Warmup.Core.Dialects;
using Warmup.Core.Dialects.Metrics;
using Warmup.Core.Traffic;

namespace Warmup.Core.Tests.Traffic;

/// <summary>The per-target ledger over metrics pages written in vLLM's exposition format (two engines, as vLLM labels them).</summary>
public sealed class TrafficLedgerTests
{
    private static readonly double[] Bounds = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);

    /// <summary>A vLLM /metrics page whose prompt histogram holds <paramref name="lengths"/>, split over engines 0 and 1.</summary>
    internal static ServerLoad Page(IReadOnlyList<int> lengths, int running = 0)
    {
        var sb = new StringBuilder();
        sb.Append("# TYPE vllm:num_requests_running gauge\n");
        sb.Append(CultureInfo.InvariantCulture, $"vllm:num_requests_running{{engine=\"0\",model_name=\"m\"}} {running}\n");
        sb.Append("vllm:request_success_total{engine=\"0\",model_name=\"m\",finished_reason=\"length\"} ").Append(lengths.Count).Append('\n');
        sb.Append("# TYPE vllm:request_prompt_tokens histogram\n");
        for (var engine = 0; engine < 2; engine++)
        {
            var mine = lengths.Where((_, i) => i % 2 == engine).ToList();
            foreach (var bound in Bounds)
            {
                sb.Append(CultureInfo.InvariantCulture, $"vllm:request_prompt_tokens_bucket{{engine=\"{engine}\",le=\"{bound:0.0}\",model_name=\"m\"}} {mine.Count(l => l <= bound)}\n");
            }

            sb.Append(CultureInfo.InvariantCulture, $"vllm:request_prompt_tokens_bucket{{engine=\"{engine}\",le=\"+Inf\",model_name=\"m\"}} {mine.Count}\n");
            sb.Append(CultureInfo.InvariantCulture, $"vllm:request_prompt_tokens_count{{engine=\"{engine}\",model_name=\"m\"}} {mine.Count}\n");
            sb.Append(CultureInfo.InvariantCulture, $"vllm:request_prompt_tokens_sum{{engine=\"{engine}\",model_name=\"m\"}} {mine.Sum()}\n");
        }

        return ServerLoadReader.Read(PrometheusText.Parse(sb.ToString()))!;
    }

    private static IReadOnlyList<int> Repeat(int length, int times) => Enumerable.Repeat(length, times).ToList();

    [Fact]
    public void The_first_check_only_sets_the_base()
    {
        var record = TrafficLedger.Update(null, "t", "m", Page([700, 700, 30]), [], T0);

        Assert.Empty(record.UserPrompts);
        Assert.Equal(3, record.LastScrape[^1].CumulativeCount);
        Assert.False(record.Observed().HasPrompts);
    }

    [Fact]
    public void Users_are_the_histogram_delta_less_what_Warmup_sent()
    {
        IReadOnlyList<int> before = [.. Repeat(30, 4)];
        var first = TrafficLedger.Update(null, "t", "m", Page(before), [], T0);
        // Since then: Warmup sent 64 and 128 (twice) and 700 once; users sent 700 three times and 1500 twice.
        IReadOnlyList<int> after = [.. before, 64, 128, 128, 700, 700, 700, 700, 1500, 1500];
        IReadOnlyList<SentLength> own = [new(64, 1), new(128, 2), new(700, 1)];

        var record = TrafficLedger.Update(first, "t", "m", Page(after), own, T0.AddHours(1));

        Assert.Equal([(500.0, 1000.0, 3.0), (1000.0, 2000.0, 2.0)], record.UserPrompts.Select(b => (b.Low, b.High, b.Requests)));
        var observed = record.Observed();
        Assert.Equal((501, 2000, 5L), (observed.ShortestPrompt, observed.LongestPrompt, observed.UserRequests));
    }

    [Fact]
    public void Only_Warmup_traffic_leaves_no_user_range()
    {
        var first = TrafficLedger.Update(null, "t", "m", Page([30]), [], T0);

        var record = TrafficLedger.Update(first, "t", "m", Page([30, 64, 700, 7000]), [new(64, 1), new(700, 1), new(7000, 1)], T0.AddHours(1));

        Assert.False(record.Observed().HasPrompts);
        Assert.Equal(0, record.Observed().UserRequests);
    }

    [Fact]
    public void Users_accumulate_over_checks_and_an_open_ended_top_bucket_reaches_the_context()
    {
        var first = TrafficLedger.Update(null, "t", "m", Page([]), [], T0);
        var second = TrafficLedger.Update(first, "t", "m", Page([300]), [], T0.AddHours(1));

        var third = TrafficLedger.Update(second, "t", "m", Page([300, 6000]), [], T0.AddHours(2));

        var observed = third.Observed();
        Assert.Equal((201, (int?)null, 2L), (observed.ShortestPrompt, observed.LongestPrompt, observed.UserRequests));
        Assert.Equal((201, 8000), observed.PromptRange(8000));
    }

    [Fact]
    public void A_counter_that_went_down_is_a_restart_and_the_delta_starts_over_from_zero()
    {
        var first = TrafficLedger.Update(null, "t", "m", Page([.. Repeat(30, 50)]), [], T0);
        var second = TrafficLedger.Update(first, "t", "m", Page([.. Repeat(30, 50), 300]), [], T0.AddHours(1));

        // The server restarted: since then users sent 1500 twice and Warmup 64 once; the old 50 must not turn negative.
        var third = TrafficLedger.Update(second, "t", "m", Page([1500, 1500, 64]), [new(64, 1)], T0.AddHours(2));

        Assert.Equal(1, third.CounterResets);
        Assert.Equal([(200.0, 500.0, 1.0), (1000.0, 2000.0, 2.0)], third.UserPrompts.Select(b => (b.Low, b.High, b.Requests)));
        Assert.Equal(3, third.LastScrape[^1].CumulativeCount);
    }

    [Fact]
    public void The_highest_running_count_is_kept_and_a_model_change_starts_over()
    {
        var first = TrafficLedger.Update(null, "t", "m", Page([], running: 6), [], T0);
        var second = TrafficLedger.Update(first, "t", "m", Page([300], running: 2), [], T0.AddHours(1));

        var changed = TrafficLedger.Update(second, "t", "m2", Page([300, 300], running: 1), [], T0.AddHours(2));

        Assert.Equal(6, second.MaxRunning);
        Assert.Equal(1, second.Observed().UserRequests);
        Assert.Equal((1, 0L, "m2"), (changed.MaxRunning, changed.Observed().UserRequests, changed.Model));
    }

    [Fact]
    public void Where_the_first_check_counts_the_histogram_since_the_server_started_is_users_less_Warmup_own()
    {
        // The CLI's first run: users sent 700 three times and 1500 twice; an earlier run of Warmup (kept by the CLI) 64 once.
        var record = TrafficLedger.Update(null, "t", "m", Page([64, 700, 700, 700, 1500, 1500], running: 2), [new(64, 1)], T0, firstCheckCounts: true);

        Assert.Equal([(500.0, 1000.0, 3.0), (1000.0, 2000.0, 2.0)], record.UserPrompts.Select(b => (b.Low, b.High, b.Requests)));
        Assert.Equal(6, record.LastScrape[^1].CumulativeCount);
        Assert.Equal(0, record.CounterResets);
        Assert.Equal((501, (int?)2000, 2, 5L), (record.Observed().ShortestPrompt, record.Observed().LongestPrompt, record.Observed().MaxRunning, record.Observed().UserRequests));

        // The next check is a delta against that base, as the timer's are.
        var next = TrafficLedger.Update(record, "t", "m", Page([64, 700, 700, 700, 1500, 1500, 30]), [], T0.AddHours(1), firstCheckCounts: true);
        Assert.Equal([(20.0, 50.0, 1.0), (500.0, 1000.0, 3.0), (1000.0, 2000.0, 2.0)], next.UserPrompts.Select(b => (b.Low, b.High, b.Requests)));
    }

    [Fact]
    public void A_Warmup_request_the_server_counted_across_a_bucket_edge_is_still_taken_out()
    {
        var first = TrafficLedger.Update(null, "t", "m", Page([30]), [], T0);

        // Warmup asked for 2,000 and 21 tokens; the server counted 2,004 and 19 (within the prompt factory's tolerance,
        // in the next bucket up and down). A user sent 700.
        var record = TrafficLedger.Update(first, "t", "m", Page([30, 2004, 19, 700]), [new(21, 1), new(2000, 1)], T0.AddHours(1));

        Assert.Equal([(500.0, 1000.0, 1.0)], record.UserPrompts.Select(b => (b.Low, b.High, b.Requests)));
    }
}
