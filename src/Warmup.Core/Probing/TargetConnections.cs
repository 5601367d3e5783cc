using System.Collections.Concurrent;
using System.Diagnostics;
using Warmup.Core.Dialects;
using Warmup.Core.Targets;

namespace Warmup.Core.Probing;

/// <summary>
/// Keeps the connections a measured request will use already open. Opening one (TCP, and TLS for a remote endpoint)
/// costs from a fraction of a millisecond on loopback to several round trips across a region, and it falls on
/// whichever request finds the pool short: the first request of a run, the first after the pool dropped idle
/// connections (<see cref="WarmupHttp.PooledConnectionIdleTimeout"/>), and the extra requests of a burst larger than
/// any before it. Steady samples reuse those connections, so the first-user-like sample alone would carry the cost
/// and look like a cold path. Before such a request this sends the target's readiness request (cheap, generates
/// nothing), as many at once as connections are needed, so the measured requests find them open.
/// </summary>
internal sealed class TargetConnections(HttpClient http, IRequestAuthenticator authenticator)
{
    private readonly ConcurrentDictionary<string, State> _targets = new(StringComparer.Ordinal);

    /// <summary>
    /// Makes sure <paramref name="count"/> connections to the target are open (best effort: a refused readiness
    /// request is ignored, the measured request reports what is wrong). Returns at once when they already are.
    /// </summary>
    public async Task EnsureOpenAsync(WarmupTarget target, IDialect dialect, int count, CancellationToken cancellationToken)
    {
        var state = _targets.GetOrAdd(target.BaseUrl.GetLeftPart(UriPartial.Authority), _ => new State());
        if (!state.Claim(count))
        {
            return;
        }

        // All of them at once, even where some are open: a pooled connection serves one request at a time, so
        // count concurrent requests leave at least count connections behind.
        await Task.WhenAll(Enumerable.Range(0, count).Select(_ => OpenOneAsync(target, dialect, cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>Records that a request to the target just ended, so its connection is known open for a while.</summary>
    public void Used(WarmupTarget target)
    {
        if (_targets.TryGetValue(target.BaseUrl.GetLeftPart(UriPartial.Authority), out var state))
        {
            state.Touch();
        }
    }

    private async Task OpenOneAsync(WarmupTarget target, IDialect dialect, CancellationToken cancellationToken)
    {
        try
        {
            using var message = dialect.CreateReadinessRequest(target);
            await authenticator.AuthenticateAsync(target, message, cancellationToken).ConfigureAwait(false);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(WarmupHttp.ConnectTimeout);
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Best effort: the measured request that follows reports whatever is wrong with the target.
        }
    }

    private sealed class State
    {
        // Connections the pool still holds: none once it may have dropped them as idle.
        private readonly Lock _gate = new();
        private int _open;
        private long _lastUsed;

        /// <summary>True when <paramref name="count"/> concurrent requests need more connections than are open; claims them.</summary>
        public bool Claim(int count)
        {
            lock (_gate)
            {
                // A margin under the pool's idle timeout: a connection about to be dropped is as good as gone.
                if (_lastUsed == 0 || Stopwatch.GetElapsedTime(_lastUsed) > WarmupHttp.PooledConnectionIdleTimeout * 0.75)
                {
                    _open = 0;
                }

                var missing = count > _open;
                _open = Math.Max(_open, count);
                _lastUsed = Stopwatch.GetTimestamp();
                return missing;
            }
        }

        public void Touch()
        {
            lock (_gate)
            {
                _lastUsed = Stopwatch.GetTimestamp();
            }
        }
    }
}
