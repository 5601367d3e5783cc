using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Warmup.Core.Dialects;
using Warmup.Core.Orchestration;
using Warmup.Core.Targets;

namespace Warmup.Core.Reliability;

/// <summary>
/// Reads how busy the target is with users (requests running and waiting, from the dialect's metrics where it has them)
/// and returns it with the target's busy policy, so the orchestrator decides from history alone. Never throws for the
/// endpoint: unreadable metrics are "unknown", and an unknown load never holds a run back.
/// </summary>
public sealed partial class ReadLoadActivity(
    ITargetCatalog catalog, DialectRegistry dialects, HttpClient http, ILogger<ReadLoadActivity> logger) : TaskActivity<string, TargetLoad>
{
    /// <summary>A metrics scrape is small; anything slower counts as unreadable rather than holding up the run.</summary>
    public static readonly TimeSpan ScrapeTimeout = TimeSpan.FromSeconds(10);

    public override async Task<TargetLoad> RunAsync(TaskActivityContext context, string input)
    {
        var target = catalog.Require(input);
        using var timeout = new CancellationTokenSource(ScrapeTimeout);
        ServerLoad? load = null;
        try
        {
            var dialect = await dialects.ResolveAsync(target, http, timeout.Token).ConfigureAwait(false);
            load = await dialect.GetLoadAsync(http, target, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or FormatException or InvalidOperationException or IOException)
        {
            LogUnreadable(logger, target.Name, e.Message);
        }

        var process = load is null ? null : new ServerProcess(load.ProcessStartTimeSeconds, load.ActivityCounter, load.RequestsCompleted);
        return new TargetLoad(load is not null, load?.Running ?? 0, load?.Waiting ?? 0, target.Limits.BusyMaxWait, target.Limits.BusyPollInterval, process);
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Load of {Target} could not be read ({Problem}); the warm-up proceeds")]
    private static partial void LogUnreadable(ILogger logger, string target, string problem);
}

/// <summary>What <see cref="ReadLoadActivity"/> saw, with the target's busy policy.</summary>
/// <param name="Known">False when the dialect has no metrics or they could not be read.</param>
/// <param name="Process">Which process answered, to tell a restart after an outage (<see cref="ServerProcess"/>); null when unknown.</param>
public sealed record TargetLoad(bool Known, double Running, double Waiting, TimeSpan MaxWait, TimeSpan PollInterval, ServerProcess? Process = null)
{
    /// <summary>Between levels none of the run's own requests are in flight, so anything running or waiting is a user's.</summary>
    public bool IsBusy => Known && Running + Waiting > 0;
}
