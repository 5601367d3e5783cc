using Microsoft.Extensions.Logging;
using Warmup.Core.Dialects;
using Warmup.Core.Targets;

namespace Warmup.Functions.Idle;

/// <summary>
/// Asks the target's dialect for its load (e.g. vLLM's /metrics). Failures are logged and read as "no metrics".
/// Uses the engine's shared client: it sends the target's credentials (vLLM guards /metrics with the API key) and does
/// not follow redirects, so a key never travels to another host.
/// </summary>
public sealed partial class DialectServerLoadReader(HttpClient http, DialectRegistry dialects, ILogger<DialectServerLoadReader> logger)
    : IServerLoadReader
{
    /// <summary>A metrics scrape is small; anything slower is treated as unreadable rather than holding up the timer.</summary>
    public static readonly TimeSpan ScrapeTimeout = TimeSpan.FromSeconds(10);

    public async Task<ServerLoad?> ReadAsync(WarmupTarget target, CancellationToken cancellationToken)
    {
        if (!dialects.IsKnown(target.Dialect))
        {
            return null;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ScrapeTimeout);
        try
        {
            // "auto" is resolved (once, then remembered) from the server's own routes.
            var dialect = await dialects.ResolveAsync(target, http, timeout.Token);
            return await dialect.GetLoadAsync(http, target, timeout.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or FormatException or InvalidOperationException
                                   or Core.Dialects.Auto.DialectDetectionException
                                   && !cancellationToken.IsCancellationRequested)
        {
            LogUnreadable(logger, target.Name, ex.Message);
            return null;
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Load of target {Target} could not be read ({Problem}); the idle check relies on the idle window")]
    private static partial void LogUnreadable(ILogger logger, string target, string problem);
}
