using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Warmup.Core.Probing;

/// <summary>
/// Counts the connections a <see cref="WarmupHttp.CreateHandler()"/> pool really holds, per target authority, so
/// <see cref="TargetConnections"/> tops the pool up to what a burst needs instead of assuming how many connections its
/// readiness requests left behind: a readiness response with an empty body frees its connection at once, so a later
/// readiness request of the same batch can reuse it rather than open its own, and a connection the pool started
/// opening for a request another connection then served is still being opened when the batch is answered.
/// <para>
/// The handler's <see cref="SocketsHttpHandler.ConnectCallback"/> (<see cref="ConnectAsync"/>) opens the socket as the
/// handler does by default and wraps its stream, which counts as opening; the handler's
/// <see cref="SocketsHttpHandler.PlaintextStreamFilter"/> (<see cref="FilterAsync"/>), which it calls once the connection
/// is usable (after TLS), counts it as open. The handler disposes the stream when it drops the connection (idle
/// timeout, lifetime, failed TLS, the server closed it, an error): it leaves the count then.
/// </para>
/// <para>
/// The stream also holds the requests of a <see cref="Round"/> of readiness requests until each has its own connection.
/// </para>
/// </summary>
internal sealed partial class OpenConnections
{
    // Client → its innermost handler, recorded by WarmupHttp.CreateClient: an HttpClient does not expose its handler.
    private static readonly ConditionalWeakTable<HttpClient, SocketsHttpHandler> Handlers = [];

    private readonly ConcurrentDictionary<string, Authority> _authorities = new(StringComparer.Ordinal);

    // A TLS stream hides the stream under it: the filter finds the connection by the request it was opened for.
    private readonly ConditionalWeakTable<HttpRequestMessage, CountedStream> _opening = [];

    private readonly Func<DnsEndPoint, CancellationToken, ValueTask<Socket>> _connect;

    public OpenConnections()
        : this(ConnectSocketAsync)
    {
    }

    /// <summary>With <paramref name="connect"/> opening the socket (tests: a slow connection).</summary>
    internal OpenConnections(Func<DnsEndPoint, CancellationToken, ValueTask<Socket>> connect) => _connect = connect;

    /// <summary>
    /// The counter of the pool behind <paramref name="client"/>; null for a client not built by
    /// <see cref="WarmupHttp.CreateClient(HttpMessageHandler, bool)"/> over a <see cref="WarmupHttp.CreateHandler()"/>
    /// handler (a host's own client), or one whose callbacks were replaced: its connections cannot be counted.
    /// </summary>
    public static OpenConnections? Of(HttpClient client)
        => Handlers.TryGetValue(client, out var handler)
            && handler.ConnectCallback?.Target is OpenConnections counter
            && ReferenceEquals(handler.PlaintextStreamFilter?.Target, counter)
                ? counter
                : null;

    /// <summary>Remembers the pool under <paramref name="handler"/> (through any delegating handlers) for <see cref="Of"/>.</summary>
    public static void Track(HttpClient client, HttpMessageHandler handler)
    {
        while (handler is DelegatingHandler { InnerHandler: { } inner })
        {
            handler = inner;
        }

        if (handler is SocketsHttpHandler sockets)
        {
            Handlers.AddOrUpdate(client, sockets);
        }
    }

    /// <summary>What the handler does without a <see cref="SocketsHttpHandler.ConnectCallback"/>.</summary>
    public static async ValueTask<Socket> ConnectSocketAsync(DnsEndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Connections open to <paramref name="target"/>'s scheme, host and port that carried a request or a response within
    /// <paramref name="usedWithin"/> (busy ones included: a streaming response reads as it goes).
    /// </summary>
    public int Count(Uri target, TimeSpan usedWithin)
        => _authorities.TryGetValue(AuthorityOf(target), out var authority) ? authority.Count(usedWithin) : 0;

    /// <summary>Waits until no connection to <paramref name="target"/> is being opened (each takes at most the connect timeout).</summary>
    public async Task OpenedAsync(Uri target, CancellationToken cancellationToken)
    {
        if (_authorities.TryGetValue(AuthorityOf(target), out var authority))
        {
            while (authority.AnyOpening())
            {
                await Task.Delay(1, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The <see cref="SocketsHttpHandler.ConnectCallback"/>.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var request = context.InitialRequestMessage;
        if (request.RequestUri is not { } uri)
        {
            return new NetworkStream(await _connect(context.DnsEndPoint, cancellationToken).ConfigureAwait(false), ownsSocket: true);
        }

        var stream = _authorities.GetOrAdd(AuthorityOf(uri), _ => new Authority()).Add();
        try
        {
            stream.Connected(new NetworkStream(await _connect(context.DnsEndPoint, cancellationToken).ConfigureAwait(false), ownsSocket: true));
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _opening.AddOrUpdate(request, stream);
        return stream;
    }

    /// <summary>The <see cref="SocketsHttpHandler.PlaintextStreamFilter"/>: the connection is usable from here.</summary>
    public ValueTask<Stream> FilterAsync(SocketsHttpPlaintextStreamFilterContext context, CancellationToken cancellationToken)
    {
        var request = context.InitialRequestMessage;
        if (context.PlaintextStream is CountedStream plain)
        {
            plain.Opened();
        }
        else if (_opening.TryGetValue(request, out var underTls))
        {
            underTls.Opened();
        }

        _opening.Remove(request);
        return ValueTask.FromResult(context.PlaintextStream);
    }

    // The pool's key without a proxy: scheme, host and port (the default one left out, as it is from a target's URL too).
    private static string AuthorityOf(Uri uri) => uri.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped);
}
