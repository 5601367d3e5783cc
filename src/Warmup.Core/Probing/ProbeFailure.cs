using System.Net.Http;
using System.Net.Sockets;

namespace Warmup.Core.Probing;

/// <summary>Maps transport exceptions to outcome classes with a short, secret-free reason.</summary>
internal static class ProbeFailure
{
    public static (ProbeOutcome Outcome, string Reason) Classify(HttpRequestException exception)
    {
        var socketError = FindInner<SocketException>(exception)?.SocketErrorCode;
        return exception.HttpRequestError switch
        {
            _ when socketError == SocketError.ConnectionRefused => (ProbeOutcome.ConnectionRefused, exception.Message),
            _ when socketError is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown =>
                (ProbeOutcome.ConnectionReset, exception.Message),
            _ when socketError == SocketError.TimedOut => (ProbeOutcome.Timeout, exception.Message),
            HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError =>
                (ProbeOutcome.ConnectionRefused, exception.Message),
            HttpRequestError.ResponseEnded => (ProbeOutcome.ConnectionReset, "server closed the connection before the response was complete"),
            HttpRequestError.InvalidResponse => (ProbeOutcome.HttpError, "invalid HTTP response: " + exception.Message),
            _ when FindInner<IOException>(exception) is not null => (ProbeOutcome.ConnectionReset, exception.Message),
            _ => (ProbeOutcome.HttpError, exception.Message),
        };
    }

    private static T? FindInner<T>(Exception exception)
        where T : Exception
    {
        for (var current = exception.InnerException; current is not null; current = current.InnerException)
        {
            if (current is T match)
            {
                return match;
            }
        }

        return null;
    }
}
