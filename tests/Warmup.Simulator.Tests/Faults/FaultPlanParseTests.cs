namespace Warmup.Simulator.Tests.Faults;

public sealed class FaultPlanParseTests
{
    [Fact]
    public void Parses_a_multi_rule_spec()
    {
        var plan = FaultPlan.Parse("503-burst:3,reset-midstream@every=5;after=4,stall:1.5s@first=2,429:3@p=0.25;seed=9,hang:200ms");

        Assert.Equal(5, plan.Rules.Count);
        Assert.Equal(new FaultRule(FaultKind.ServiceUnavailable, new FaultSelector.FirstSelector(1)) { BurstLength = 3 }, plan.Rules[0]);
        Assert.Equal(FaultKind.ResetMidstream, plan.Rules[1].Kind);
        Assert.Equal(new FaultSelector.EverySelector(5), plan.Rules[1].Selector);
        Assert.Equal(4, plan.Rules[1].AfterTokens);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), plan.Rules[2].Duration);
        Assert.Equal(new FaultSelector.FirstSelector(2), plan.Rules[2].Selector);
        Assert.Equal(new FaultSelector.ProbabilitySelector(0.25, 9), plan.Rules[3].Selector);
        Assert.Equal(3, plan.Rules[3].RetryAfterSeconds);
        Assert.Equal(TimeSpan.FromMilliseconds(200), plan.Rules[4].Duration);
        Assert.Equal(plan, FaultPlan.Parse(plan.ToString()));
    }

    [Fact]
    public void Parses_die_restart_and_slower_and_round_trips_them()
    {
        var plan = FaultPlan.Parse("die:3s@every=4,slower:50ms,restart:1s@every=9");

        Assert.Equal(new FaultRule(FaultKind.DieAndReturn, new FaultSelector.EverySelector(4)) { Duration = TimeSpan.FromSeconds(3) }, plan.Rules[0]);
        Assert.Equal(new FaultRule(FaultKind.SlowerAndSlower, FaultSelector.All) { Duration = TimeSpan.FromMilliseconds(50) }, plan.Rules[1]);
        Assert.Equal(new FaultRule(FaultKind.Restart, new FaultSelector.EverySelector(9)) { Duration = TimeSpan.FromSeconds(1) }, plan.Rules[2]);
        Assert.Equal(new FaultSelector.FirstSelector(1), FaultPlan.Parse("die").Rules[0].Selector);
        Assert.Equal(new FaultSelector.FirstSelector(1), FaultPlan.Parse("restart").Rules[0].Selector);
        Assert.Equal(plan, FaultPlan.Parse(plan.ToString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("none")]
    public void Empty_spec_is_no_faults(string spec) => Assert.True(FaultPlan.Parse(spec).IsEmpty);

    [Theory]
    [InlineData("explode", "unknown fault kind 'explode'")]
    [InlineData("503-burst:0", "burst length must be a positive integer")]
    [InlineData("reset@every=x", "every must be a positive integer")]
    [InlineData("stall:soon", "duration 'soon'")]
    [InlineData("429@p=1.5", "p must be a probability")]
    [InlineData("reset:3", "takes no ':3' argument")]
    [InlineData("reset@color=red", "unknown option 'color'")]
    [InlineData("503,,reset", "empty rule")]
    [InlineData("503@seed=3", "seed is only meaningful with p=")]
    public void Bad_spec_gives_one_clear_error_with_the_grammar(string spec, string expected)
    {
        var error = Assert.Throws<FormatException>(() => FaultPlan.Parse(spec));

        Assert.Contains($"bad fault spec '{spec}'", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.Contains("example: 503-burst:3,reset@every=5;after=2", error.Message);
    }
}
