using Microsoft.DurableTask.Client;
using Warmup.Core.Dialects;
using Warmup.Functions.Idle;
using Warmup.Functions.Starting;

namespace Warmup.Functions.Tests.Idle;

public sealed class IdlePolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(30);
    private static readonly IdleObservation HourAgo = new() { Target = "t", CheckedAt = Now.AddHours(-1), RequestsCompleted = 100 };

    [Theory]
    [InlineData(1, 0)]
    [InlineData(0, 3)]
    public void Busy_server_is_skipped_whatever_else_is_true(double running, double waiting)
    {
        var decision = IdlePolicy.Decide(new ServerLoad(100, running, waiting), HourAgo, null, Now, Window);

        Assert.Equal((false, SkipReasons.Busy), (decision.ShouldWarm, decision.Reason));
    }

    [Fact]
    public void A_warmup_completed_within_the_window_skips()
    {
        var last = new LastWarmup(Now.AddMinutes(-12), Now.AddMinutes(-10), OrchestrationRuntimeStatus.Completed, 20);

        var decision = IdlePolicy.Decide(new ServerLoad(100, 0, 0), HourAgo, last, Now, Window);

        Assert.Equal(SkipReasons.RecentlyWarmed, decision.Reason);
    }

    [Fact]
    public void User_traffic_since_the_last_check_skips()
    {
        var last = new LastWarmup(Now.AddMinutes(-50), Now.AddMinutes(-45), OrchestrationRuntimeStatus.Completed, 20);

        var decision = IdlePolicy.Decide(new ServerLoad(121, 0, 0), HourAgo, last, Now, Window);

        Assert.Equal(SkipReasons.RecentlyUsed, decision.Reason);
        Assert.StartsWith("1 more", decision.Detail);
    }

    [Fact]
    public void Only_warmup_traffic_since_the_last_check_is_idle()
    {
        var last = new LastWarmup(Now.AddMinutes(-50), Now.AddMinutes(-45), OrchestrationRuntimeStatus.Completed, 20);

        var decision = IdlePolicy.Decide(new ServerLoad(120, 0, 0), HourAgo, last, Now, Window);

        Assert.True(decision.ShouldWarm, decision.Detail);
    }

    [Fact]
    public void Warmup_requests_from_before_the_last_check_are_not_subtracted()
    {
        var earlier = new LastWarmup(Now.AddHours(-3), Now.AddHours(-3), OrchestrationRuntimeStatus.Completed, 20);

        var decision = IdlePolicy.Decide(new ServerLoad(120, 0, 0), HourAgo, earlier, Now, Window);

        Assert.Equal(SkipReasons.RecentlyUsed, decision.Reason);
    }

    [Fact]
    public void A_counter_that_went_down_means_a_restarted_cold_server()
    {
        var decision = IdlePolicy.Decide(new ServerLoad(3, 0, 0), HourAgo, null, Now, Window);

        Assert.True(decision.ShouldWarm);
        Assert.Contains("restarted", decision.Detail);
    }

    [Fact]
    public void Token_counters_are_compared_with_generated_tokens()
    {
        var tokens = new ServerLoad(5000 + 640, 0, 0) { ActivityCounter = "llamacpp:tokens_predicted_total" };
        var previous = new IdleObservation { Target = "t", CheckedAt = Now.AddHours(-1), RequestsCompleted = 5000 };
        var last = new LastWarmup(Now.AddMinutes(-50), Now.AddMinutes(-45), OrchestrationRuntimeStatus.Completed, 20, OutputTokens: 640);

        Assert.True(IdlePolicy.Decide(tokens, previous, last, Now, Window).ShouldWarm);
        Assert.Equal(SkipReasons.RecentlyUsed, IdlePolicy.Decide(tokens with { RequestsCompleted = 5641 }, previous, last, Now, Window).Reason);
    }

    [Fact]
    public void Without_metrics_the_idle_window_alone_decides()
    {
        var recent = new LastWarmup(Now.AddMinutes(-20), Now.AddMinutes(-15), OrchestrationRuntimeStatus.Completed, 20);
        var old = recent with { CreatedAt = Now.AddHours(-2), LastUpdatedAt = Now.AddHours(-2) };
        var failed = recent with { Status = OrchestrationRuntimeStatus.Failed };

        Assert.Equal(SkipReasons.RecentlyWarmed, IdlePolicy.Decide(null, HourAgo, recent, Now, Window).Reason);
        Assert.True(IdlePolicy.Decide(null, HourAgo, old, Now, Window).ShouldWarm);
        Assert.True(IdlePolicy.Decide(null, null, null, Now, Window).ShouldWarm);
        Assert.True(IdlePolicy.Decide(null, HourAgo, failed, Now, Window).ShouldWarm);
    }
}
