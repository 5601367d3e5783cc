using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.WebUtilities;

namespace Warmup.Functions.Triggers;

/// <summary>
/// URLs handed back in an answer (Location, statusUri, cancelUri) carry the function key the request was made with, in
/// <c>?code=</c>, so following them as given works on a host that enforces keys. This is what Durable's own
/// CreateCheckStatusResponse does for its status URLs (it puts the key its webhook needs into <c>code</c>). The key
/// comes from the request's <c>code</c> query parameter, else its <c>x-functions-key</c> header; a request without one
/// (a local host, which enforces no keys) gets URLs without one.
/// </summary>
internal static class FunctionKeyLinks
{
    public const string QueryParameter = "code";
    public const string Header = "x-functions-key";

    /// <summary>This request's own URL (scheme, host, path), with the request's key and nothing else from its query.</summary>
    public static string SelfWithKey(HttpRequest request) =>
        WithKey(UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, request.Path), KeyOf(request));

    public static string WithKey(string uri, string? key) =>
        string.IsNullOrEmpty(key) ? uri : QueryHelpers.AddQueryString(uri, QueryParameter, key);

    public static string? KeyOf(HttpRequest request)
    {
        var fromQuery = request.Query[QueryParameter].FirstOrDefault(v => !string.IsNullOrEmpty(v));
        return fromQuery ?? request.Headers[Header].FirstOrDefault(v => !string.IsNullOrEmpty(v));
    }
}
