using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Warmup.Core.Dialects;
using Warmup.Core.Targets;
using Warmup.Functions.Idle;
using Warmup.Functions.Starting;
using Warmup.Functions.Tests.Support;
using Warmup.Functions.Triggers;

namespace Warmup.Functions.Tests.Storms;

/// <summary>
/// One idle tick over 50 targets whose /metrics are real loopback endpoints, read by the real dialect reader: one target's
/// metrics never answer (the reader's 10 s scrape timeout), the others say they are busy. Every target is judged, at most
/// <see cref="IdleRewarmTimer.MaxParallelChecks"/> at once, and the slow one does not hold the others up.
/// </summary>
public sealed class IdleTimerOverManyTargetsTests
{
    [Fact]
    public async Task Every_target_is_judged_with_bounded_concurrency_and_a_slow_target_does_not_delay_the_others()
    {
        await using var metrics = await MetricsServer.StartAsync();
        metrics.Running = 1;
        using var silent = new TcpListener(IPAddress.Loopback, 0); // accepts, never answers
        silent.Start();
        var silentUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/");
        var targets = Enumerable.Range(0, 50)
            .Select(i => new WarmupTarget { Name = $"t{i:D2}", BaseUrl = i == 3 ? silentUrl : metrics.BaseUrl, Model = "m" })
            .ToList();
        var fx = new TriggerFixture(new TargetCatalog(targets));
        using var http = new HttpClient();
        var reads = new TimedReader(new DialectServerLoadReader(http, DialectRegistry.Default, NullLogger<DialectServerLoadReader>.Instance));
        var timer = new IdleRewarmTimer(fx.Catalog, reads, new ConcurrentStore(), fx.Starter, fx.Events, fx.Options, fx.Time, NullLogger<IdleRewarmTimer>.Instance);

        var results = await timer.CheckAllAsync(fx.Durable.Client, CancellationToken.None);

        Assert.Equal(targets.Select(t => t.Name), results.Select(r => r.Target));
        Assert.Equal(("skipped", SkipReasons.Busy), (results[0].Result, results[0].Reason));
        Assert.All(results.Where(r => r.Target != "t03"), r => Assert.Equal(SkipReasons.Busy, r.Reason));
        Assert.NotEqual(SkipReasons.Busy, results[3].Reason); // unreadable metrics: judged by the idle window instead
        Assert.InRange(reads.MaxInFlight, 2, IdleRewarmTimer.MaxParallelChecks);
        var slow = reads.Finished["t03"];
        Assert.True(slow >= DialectServerLoadReader.ScrapeTimeout - TimeSpan.FromMilliseconds(100), $"the silent target's read ended after {slow}");
        var others = reads.Finished.Where(f => f.Key != "t03").Max(f => f.Value);
        Assert.True(others < TimeSpan.FromSeconds(5), $"the other 49 were judged only after {others}");
    }

    /// <summary>The real reader, with when each read finished (from the tick's start) and how many ran at once.</summary>
    private sealed class TimedReader(IServerLoadReader inner) : IServerLoadReader
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private int _inFlight;
        private int _maxInFlight;

        public ConcurrentDictionary<string, TimeSpan> Finished { get; } = new();

        public int MaxInFlight => Volatile.Read(ref _maxInFlight);

        public async Task<ServerLoad?> ReadAsync(WarmupTarget target, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _inFlight);
            int seen;
            while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen)
            {
            }

            try
            {
                return await inner.ReadAsync(target, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
                Finished[target.Name] = _clock.Elapsed;
            }
        }
    }

    private sealed class ConcurrentStore : IIdleStateStore
    {
        private readonly ConcurrentDictionary<string, IdleObservation> _state = new();

        public Task<IdleObservation?> GetAsync(DurableTaskClient client, string target, CancellationToken cancellationToken)
            => Task.FromResult(_state.GetValueOrDefault(target));

        public Task SaveAsync(DurableTaskClient client, IdleObservation observation, CancellationToken cancellationToken)
        {
            _state[observation.Target] = observation;
            return Task.CompletedTask;
        }
    }
}
