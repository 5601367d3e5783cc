namespace Warmup.Core.Dialects;

/// <summary>
/// Small side requests a dialect makes (tokenize, model list, metrics). They are best-effort: a server that lacks the
/// endpoint, refuses the connection or does not answer in time yields null rather than failing the warm-up.
/// </summary>
internal static class OperationalHttp
{
    /// <summary>Bounds each side request: the shared client has no timeout of its own (the probe sets per-request ones).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>Sends the request; returns null on connection failure or when it does not answer within <see cref="Timeout"/>.</summary>
    public static async Task<(int Status, byte[] Body)?> TrySendAsync(
        HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            return ((int)response.StatusCode, body);
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    public static Task<(int Status, byte[] Body)?> TryGetAsync(HttpClient http, Uri uri, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        return TrySendAndDisposeAsync(http, request, cancellationToken);
    }

    public static async Task<(int Status, byte[] Body)?> TrySendAndDisposeAsync(
        HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            return await TrySendAsync(http, request, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Status codes that mean "this server has no such endpoint" rather than "something is wrong".</summary>
    public static bool IsMissingEndpoint(int status) => status is 404 or 405 or 501;
}
