using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Connections;

namespace Warmup.Core.Tests.TestSupport;

/// <summary>
/// The connections a <see cref="LoopbackServer"/> started with <see cref="Middleware"/> accepted, counted as the server
/// takes them (before any request on them is read).
/// </summary>
public sealed class AcceptedConnections
{
    private readonly ConcurrentDictionary<string, ConnectionContext> _open = new();
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public Func<ConnectionDelegate, ConnectionDelegate> Middleware => next => async connection =>
    {
        _open[connection.ConnectionId] = connection;
        Interlocked.Increment(ref _count);
        try
        {
            await next(connection);
        }
        finally
        {
            _open.TryRemove(connection.ConnectionId, out _);
        }
    };

    /// <summary>
    /// True once exactly <paramref name="count"/> were accepted. A connection the client opened but has not sent on may
    /// reach the server's accept loop a moment after the client has it; one more than that would show as well.
    /// </summary>
    public async Task<bool> ReachAsync(int count) => await Eventually(() => Count >= count) && Count == count;

    /// <summary>Closes one open connection from the server's side, whatever it is doing.</summary>
    public void CloseOne() => _open.Values.First().Abort();

    /// <summary>True once <paramref name="condition"/> holds, false if it still does not after 5 s.</summary>
    public static async Task<bool> Eventually(Func<bool> condition)
    {
        var started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(5))
            {
                return false;
            }

            await Task.Delay(10);
        }

        return true;
    }
}
