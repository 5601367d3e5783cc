using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Reporting;

namespace Warmup.Integration.Tests.Orchestration;

/// <summary>
/// A target the server cannot serve ends as a configuration failure before any warm-up traffic: the outcome says
/// "misconfigured" (not not-warm), the report names what the server does serve, and it still reaches the sinks.
/// </summary>
public sealed class MisconfiguredTargetTests
{
    [Fact]
    public async Task A_model_the_server_does_not_list_ends_misconfigured_without_sending_a_request()
    {
        await using var server = await VllmLikeServer.StartAsync(ColdModel.None);
        var target = WarmupHost.Target("typo", server.BaseUrl) with { Model = "wrong-model" };
        var sink = new CollectingSink();
        var journal = new ActivityJournal();
        await using var host = await WarmupHost.StartAsync(new InMemoryTargetCatalog(target), [sink], journal);

        var (report, _) = await WarmupHost.RunAsync(
            host, new WarmupRequest("typo", WarmupReasons.Manual, PlanSpec.FromPreset(PlanPresets.Light), "corr-typo"));

        Assert.Equal(RunOutcomes.Misconfigured, report.Outcome);
        Assert.True(report.Readiness.Ready);
        Assert.Contains("'wrong-model' is not served", report.Error);
        Assert.Contains("'tiny'", report.Error);
        Assert.Empty(server.Requests);
        Assert.Empty(report.Steps);
        Assert.Null(report.Verdict);
        Assert.DoesNotContain(journal.Entries, e => e.Name is TaskNames.ResolvePlan or TaskNames.RunStep or TaskNames.Verify);
        Assert.Equal(RunOutcomes.Misconfigured, Assert.Single(sink.Reports).Outcome);
    }

    [Fact]
    public async Task A_base_url_ending_in_v1_ends_misconfigured_at_once_with_the_fix()
    {
        await using var server = await VllmLikeServer.StartAsync(ColdModel.None);
        var target = WarmupHost.Target("v1", new Uri(server.BaseUrl, "v1"), readyDeadline: TimeSpan.FromMinutes(5));
        await using var host = await WarmupHost.StartAsync(new InMemoryTargetCatalog(target), []);
        var started = DateTimeOffset.UtcNow;

        var (report, _) = await WarmupHost.RunAsync(
            host, new WarmupRequest("v1", WarmupReasons.Manual, PlanSpec.FromPreset(PlanPresets.Light), "corr-v1"));

        Assert.Equal(RunOutcomes.Misconfigured, report.Outcome);
        Assert.Contains("the base URL ends in /v1", report.Error);
        Assert.Equal(1, report.Readiness.Attempts);
        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromMinutes(1));
        Assert.Empty(server.Requests);
    }
}
