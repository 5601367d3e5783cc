using System.Globalization;
using Warmup.Core.Dialects;
using Warmup.Core.Dialects.Auto;
using Warmup.Core.Probing;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;
using Warmup.Core.Traffic;

namespace Warmup.Cli.Traffic;

/// <summary>What one run's check of the server's metrics gave: the record to plan with (null: nothing observed) and one line saying so.</summary>
internal sealed record TrafficCheck(TrafficRecord? Record, string Summary);

/// <summary>
/// The CLI's view of what users send a target. It has no idle timer, so it checks at the start of each run, before any
/// warm-up traffic: one scrape of the target's metrics (the dialect's own series) folded into the kept
/// <see cref="TrafficRecord"/> by the same <see cref="TrafficLedger"/> the Functions app's timer uses, less what
/// Warmup's own runs sent since the last check (kept beside it, from their reports: <see cref="OwnTraffic"/>). Without
/// a kept check (the first run, or <c>--no-cache</c>) the histogram since the server started counts as users'. Best
/// effort, like the timer's: a server without metrics, or one not answering yet, leaves the run planned without users'
/// traffic and never fails it.
/// </summary>
/// <param name="store">Where checks are kept between runs; null with <c>--no-cache</c> (nothing read or kept).</param>
internal sealed class UsersTraffic(FileTrafficStore? store, TimeProvider time)
{
    /// <summary>A metrics page is small; a server that cannot send it in this time is treated as having none.</summary>
    public static readonly TimeSpan ScrapeTimeout = TimeSpan.FromSeconds(10);

    public FileTrafficStore? Store => store;

    public async Task<TrafficCheck> CheckAsync(WarmupTarget target, ITargetCatalog catalog, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        // The kept file is small and local: it is read and written whole even when the run is being cancelled.
        var kept = store is null ? null : await store.GetAsync(target.Name, CancellationToken.None).ConfigureAwait(false);
        ServerLoad? load;
        try
        {
            load = await ScrapeAsync(target, catalog, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C during the check: the run itself records the cancellation; nothing is observed or kept.
            return new TrafficCheck(kept is null ? null : Usable(kept.Record, target), "not checked: the run was cancelled");
        }

        if (load?.Traffic?.PromptTokens is null)
        {
            // Nothing to take a delta of: keep the last base and Warmup's traffic since it for a check that has one.
            var running = load is null ? kept?.Record : TrafficLedger.Update(kept?.Record, target.Name, target.Model, load, [], time.GetUtcNow());
            if (running is not null && store is not null)
            {
                await store.SaveAsync(new KeptTraffic(running with { LastScrape = kept?.Record.LastScrape ?? [] }, kept?.OwnSinceCheck ?? []), CancellationToken.None)
                    .ConfigureAwait(false);
            }

            var why = load is null
                ? "the server's metrics could not be read"
                : "the server's metrics have no prompt-length histogram";
            return new TrafficCheck(running is null ? null : Usable(running, target), $"{why}: no users' prompt lengths observed");
        }

        var own = kept?.OwnSinceCheck ?? [];
        var record = TrafficLedger.Update(kept?.Record, target.Name, target.Model, load, own, time.GetUtcNow(), firstCheckCounts: true);
        if (store is not null)
        {
            await store.SaveAsync(new KeptTraffic(record, []), CancellationToken.None).ConfigureAwait(false);
        }

        var hadBase = kept is { Record.LastScrape.Count: > 0 } && string.Equals(kept.Record.Model, target.Model, StringComparison.Ordinal);
        return new TrafficCheck(record, Describe(record, hadBase, own));
    }

    /// <summary>
    /// After the run: its own requests are taken out of the next check's delta. Kept even when this run's check read
    /// nothing (a server still loading when the run began): the next check then counts the histogram since the server
    /// started, and this run's requests are in it.
    /// </summary>
    public async Task RecordOwnAsync(WarmupReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (store is null)
        {
            return;
        }

        var kept = await store.GetAsync(report.Target, cancellationToken).ConfigureAwait(false)
                   ?? new KeptTraffic(new TrafficRecord { Target = report.Target, Model = report.Model }, []);

        var own = kept.OwnSinceCheck.Concat(OwnTraffic.From(report))
            .GroupBy(s => s.PromptTokens).Select(g => new SentLength(g.Key, g.Sum(s => s.Requests))).OrderBy(s => s.PromptTokens).ToList();
        await store.SaveAsync(kept with { OwnSinceCheck = own }, cancellationToken).ConfigureAwait(false);
    }

    private static TrafficRecord? Usable(TrafficRecord record, WarmupTarget target)
        => string.Equals(record.Model, target.Model, StringComparison.Ordinal) ? record : null;

    private static string Describe(TrafficRecord record, bool hadBase, IReadOnlyList<SentLength> own)
    {
        var observed = record.Observed();
        var since = hadBase ? $"since {record.Since:yyyy-MM-dd HH:mm} UTC" : "since the server started";
        var less = own.Count == 0 ? "" : $", less {own.Sum(s => s.Requests)} of Warmup's own";
        var prompts = observed.PromptRange(int.MaxValue) is { } range
            ? $"users sent {observed.UserRequests} requests with prompts of {range.Low}-{(observed.LongestPrompt is null ? "max" : range.High.ToString(CultureInfo.InvariantCulture))} tokens {since}{less}"
            : $"no users' requests observed {since}{less}";
        return $"{prompts}; {observed.MaxRunning} running at most when checked";
    }

    private static async Task<ServerLoad?> ScrapeAsync(WarmupTarget target, ITargetCatalog catalog, CancellationToken cancellationToken)
    {
        // The target's credentials, as for the run's own side requests: vLLM guards /metrics with the API key.
        using var http = WarmupHttp.CreateClient(new TargetAuthenticatingHandler(catalog, new EnvironmentApiKeyAuthenticator())
        {
            InnerHandler = WarmupHttp.CreateHandler(),
        });
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ScrapeTimeout);
        try
        {
            var dialect = await DialectRegistry.Default.ResolveAsync(target, http, TimeSpan.Zero, TimeProvider.System, timeout.Token).ConfigureAwait(false);
            return await dialect.GetLoadAsync(http, target, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or FormatException or InvalidOperationException
                                      or DialectDetectionException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
