using System.Net;
using System.Net.Sockets;
using System.Text;
using Warmup.Core.Dialects;
using Warmup.Core.Probing;

namespace Warmup.Core.Readiness;

/// <summary>
/// Turns what a poll saw into a short, secret-free phrase for <see cref="ReadinessResult.LastError"/>.
/// Exception messages are never used: they can carry URLs with query strings and are long.
/// </summary>
internal static class ReadinessErrors
{
    private const int MaxDetailLength = 80;

    public static string Describe(Exception exception)
    {
        var socketError = FindSocketError(exception);
        if (socketError is SocketError.ConnectionRefused)
        {
            return "connection refused";
        }

        if (socketError is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            return "connection reset";
        }

        if (socketError is SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData)
        {
            return "host name not resolved";
        }

        if (socketError is SocketError.TimedOut)
        {
            return "connect timed out";
        }

        if (socketError is SocketError.HostUnreachable or SocketError.NetworkUnreachable)
        {
            return "host unreachable";
        }

        return (exception as HttpRequestException)?.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "host name not resolved",
            HttpRequestError.SecureConnectionError => "TLS handshake failed",
            HttpRequestError.ResponseEnded => "connection closed before a response",
            HttpRequestError.InvalidResponse => "invalid HTTP response",
            HttpRequestError.ConnectionError => "connection failed",
            _ => exception is IOException ? "connection reset" : "request failed (" + exception.GetType().Name + ")",
        };
    }

    public static string TimedOut(TimeSpan attemptTimeout) => $"no answer within {attemptTimeout.TotalSeconds:0.#} s";

    /// <summary>"HTTP 503 Loading model": the status and, when the body is a known JSON error shape, its message.</summary>
    public static string Describe(HttpStatusCode status, string? body)
    {
        var code = (int)status;
        var detail = ExtractMessage(body);
        return detail is null ? $"HTTP {code}" : $"HTTP {code} {detail}";
    }

    /// <summary>
    /// Why a readiness answer is permanent, or null when it may change: a loading server refuses connections or
    /// answers 503, never 404 on its health route (the route exists before the model loads) nor 401/403.
    /// </summary>
    public static string? Permanent(Uri polled, Uri baseUrl, HttpStatusCode status, string answer)
    {
        var route = $"GET {polled.AbsolutePath} answered {answer}";
        return (int)status switch
        {
            404 when EndsWithV1(baseUrl) =>
                $"{route}: the base URL ends in /v1; give the server root instead (e.g. {baseUrl.Scheme}://{baseUrl.Authority})",
            404 => $"{route}: no such route; is the base URL the server root and the dialect right?",
            401 or 403 => $"{route}: the server refuses the credentials; check the API key setting",
            _ => null,
        };
    }

    internal static bool EndsWithV1(Uri baseUrl) =>
        baseUrl.AbsolutePath.TrimEnd('/').EndsWith("/v1", StringComparison.OrdinalIgnoreCase);

    private static SocketError? FindSocketError(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is SocketException socket)
            {
                return socket.SocketErrorCode;
            }
        }
        return null;
    }

    /// <summary>
    /// The message of the error shapes the servers use (llama.cpp {"error":{"message":..}}, vLLM {"error":"Unauthorized"}
    /// or {"message":..}, TGI {"error":..}, FastAPI {"detail":..}), read by the probe's own error reader; anything else
    /// (HTML pages, empty bodies) gives no detail.
    /// </summary>
    private static string? ExtractMessage(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        var message = HttpErrorDescription.ReadMessage(Encoding.UTF8.GetBytes(body));
        if (string.IsNullOrWhiteSpace(message))
        {
            return null;
        }

        var oneLine = ErrorText.Shorten(message);
        return oneLine.Length <= MaxDetailLength ? oneLine : oneLine[..MaxDetailLength] + "...";
    }
}
