using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Warmup.Core.Dialects;
using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;
using Warmup.Functions.Idle;
using Warmup.Functions.Starting;
using Warmup.Functions.Tests.Support;
using Warmup.Functions.Triggers;

namespace Warmup.Functions.Tests.Idle;

/// <summary>The timer over a real /metrics endpoint on loopback, read by the real openai dialect.</summary>
public sealed class IdleRewarmTimerTests : IAsyncLifetime
{
    private MetricsServer _metrics = null!;
    private TriggerFixture _fx = null!;
    private readonly InMemoryIdleStateStore _store = new();
    private readonly HttpClient _http = new();

    public async Task InitializeAsync()
    {
        _metrics = await MetricsServer.StartAsync();
        var target = new WarmupTarget { Name = "vllm-a", BaseUrl = _metrics.BaseUrl, Model = "test-model" };
        var noMetrics = new WarmupTarget { Name = "no-metrics", BaseUrl = new Uri("http://127.0.0.1:9/"), Model = "m", Dialect = DialectNames.VllmGenerate };
        _fx = new TriggerFixture(new TargetCatalog([target, noMetrics]));
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _metrics.DisposeAsync();
    }

    private IdleRewarmTimer Timer() => new(
        _fx.Catalog,
        new DialectServerLoadReader(_http, DialectRegistry.Default, NullLogger<DialectServerLoadReader>.Instance),
        _store, _fx.Starter, _fx.Events, _fx.Options, _fx.Time, NullLogger<IdleRewarmTimer>.Instance);

    private IdleCheckResult ResultFor(IReadOnlyList<IdleCheckResult> results, string target) => results.Single(r => r.Target == target);

    [Fact]
    public async Task Busy_target_is_skipped()
    {
        _metrics.Running = 2;

        var results = await Timer().CheckAllAsync(_fx.Durable.Client, CancellationToken.None);

        Assert.Equal(("skipped", SkipReasons.Busy), (ResultFor(results, "vllm-a").Result, ResultFor(results, "vllm-a").Reason));
        Assert.Contains(_fx.Events.Skipped, s => s == ("vllm-a", WarmupReasons.Idle, SkipReasons.Busy, ResultFor(results, "vllm-a").Detail));
        Assert.DoesNotContain(_fx.Durable.Scheduled, s => s.InstanceId == "warmup-vllm-a");
        Assert.True(_metrics.Scrapes > 0);
    }

    [Fact]
    public async Task Recently_used_target_is_skipped_and_an_idle_one_gets_a_light_warmup()
    {
        // Tick 1: first observation, no warm-up on record -> idle window decides -> light warm-up.
        _metrics.Succeeded = 100;
        var first = await Timer().CheckAllAsync(_fx.Durable.Client, CancellationToken.None);
        Assert.Equal("started", ResultFor(first, "vllm-a").Result);
        var run = _fx.Durable.Scheduled.Single(s => s.InstanceId == "warmup-vllm-a");
        Assert.Equal((WarmupReasons.Idle, PlanPresets.Light), (run.Request.Reason, run.Request.Plan.Preset));

        // That warm-up sent 12 requests and finished; an hour later users sent 30 more.
        _fx.Time.Advance(TimeSpan.FromMinutes(2));
        _fx.Durable.Put("warmup-vllm-a", OrchestrationRuntimeStatus.Completed, _fx.Time.GetUtcNow().AddMinutes(-2), run.Request,
            output: Reports.Report("vllm-a", "light", RunOutcomes.Warm, requests: 12), lastUpdatedAt: _fx.Time.GetUtcNow());
        _fx.Time.Advance(TimeSpan.FromMinutes(58));
        _metrics.Succeeded = 100 + 12 + 30;
        var second = await Timer().CheckAllAsync(_fx.Durable.Client, CancellationToken.None);
        Assert.Equal(("skipped", SkipReasons.RecentlyUsed), (ResultFor(second, "vllm-a").Result, ResultFor(second, "vllm-a").Reason));

        // Another hour with no traffic at all: idle again.
        _fx.Time.Advance(TimeSpan.FromHours(1));
        var third = await Timer().CheckAllAsync(_fx.Durable.Client, CancellationToken.None);
        Assert.Equal("started", ResultFor(third, "vllm-a").Result);
        Assert.Equal(2, _fx.Durable.Scheduled.Count(s => s.InstanceId == "warmup-vllm-a"));
    }

    [Fact]
    public async Task Target_without_metrics_relies_on_the_idle_window()
    {
        _fx.Durable.Put("warmup-no-metrics", OrchestrationRuntimeStatus.Completed, _fx.Time.GetUtcNow().AddMinutes(-12), null,
            output: Reports.Report("no-metrics", "full", RunOutcomes.Warm), lastUpdatedAt: _fx.Time.GetUtcNow().AddMinutes(-10));

        var soon = await Timer().CheckAllAsync(_fx.Durable.Client, CancellationToken.None);
        _fx.Time.Advance(TimeSpan.FromHours(1));
        var later = await Timer().CheckAllAsync(_fx.Durable.Client, CancellationToken.None);

        Assert.Equal(SkipReasons.RecentlyWarmed, ResultFor(soon, "no-metrics").Reason);
        Assert.Equal("started", ResultFor(later, "no-metrics").Result);
    }

    [Fact]
    public async Task Target_already_warming_is_skipped_without_scraping()
    {
        _fx.Durable.Put("warmup-vllm-a", OrchestrationRuntimeStatus.Running, _fx.Time.GetUtcNow(), null);

        var results = await Timer().CheckAllAsync(_fx.Durable.Client, CancellationToken.None);

        Assert.Equal(SkipReasons.AlreadyWarming, ResultFor(results, "vllm-a").Reason);
        Assert.Equal(0, _metrics.Scrapes);
    }

    [Fact]
    public async Task One_failing_target_does_not_stop_the_others()
    {
        _fx.Durable.ScheduleFailure = id => id == "warmup-vllm-a" ? new InvalidOperationException("hub down") : null;

        var results = await Timer().CheckAllAsync(_fx.Durable.Client, CancellationToken.None);

        Assert.Equal("error", ResultFor(results, "vllm-a").Result);
        Assert.Equal("started", ResultFor(results, "no-metrics").Result);
    }

    private sealed class InMemoryIdleStateStore : IIdleStateStore
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IdleObservation> _state = new();

        public Task<IdleObservation?> GetAsync(DurableTaskClient client, string target, CancellationToken cancellationToken) =>
            Task.FromResult(_state.GetValueOrDefault(target));

        public Task SaveAsync(DurableTaskClient client, IdleObservation observation, CancellationToken cancellationToken)
        {
            _state[observation.Target] = observation;
            return Task.CompletedTask;
        }
    }
}
