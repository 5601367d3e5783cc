using Microsoft.Extensions.Logging;
using Warmup.Core.Dialects;
using Warmup.Core.Targets;

namespace Warmup.Functions.Idle;

/// <summary>Asks the target's dialect for its load (e.g. vLLM's /metrics). Failures are logged and read as "no metrics".</summary>
public sealed partial class DialectServerLoadReader(IHttpClientFactory httpClientFactory, DialectRegistry dialects, ILogger<DialectServerLoadReader> logger)
    : IServerLoadReader
{
    public const string HttpClientName = "warmup-metrics";

    /// <summary>A metrics scrape is small; anything slower is treated as unreadable rather than holding up the timer.</summary>
    public static readonly TimeSpan ScrapeTimeout = TimeSpan.FromSeconds(10);

    public async Task<ServerLoad?> ReadAsync(WarmupTarget target, CancellationToken cancellationToken)
    {
        if (!dialects.TryGet(target.Dialect, out var dialect))
            return null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ScrapeTimeout);
        try
        {
            var http = httpClientFactory.CreateClient(HttpClientName);
            return await dialect.GetLoadAsync(http, target, timeout.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or FormatException or InvalidOperationException
                                   && !cancellationToken.IsCancellationRequested)
        {
            LogUnreadable(logger, target.Name, ex.Message);
            return null;
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Load of target {Target} could not be read ({Problem}); the idle check relies on the idle window")]
    private static partial void LogUnreadable(ILogger logger, string target, string problem);
}
