using System.Collections.Concurrent;
using System.Diagnostics;
using Warmup.Core.Dialects;
using Warmup.Core.Targets;

namespace Warmup.Core.Probing;

/// <summary>
/// Keeps the connections a measured request will use already open. Opening one (TCP, and TLS for a remote endpoint)
/// costs from a fraction of a millisecond on loopback to several round trips across a region, and it falls on
/// whichever request finds the pool short: the first request of a run, the first after the pool dropped idle
/// connections (<see cref="WarmupHttp.PooledConnectionIdleTimeout"/>) or the server closed one, and the extra requests
/// of a burst larger than any before it. Steady samples reuse those connections, so the first-user-like sample alone
/// would carry the cost and look like a cold path. Before such a request this sends the target's readiness request
/// (cheap, generates nothing), as many at once as connections are needed, so the measured requests find them open.
/// </summary>
internal sealed class TargetConnections(HttpClient http, IRequestAuthenticator authenticator)
{
    // Rounds of readiness requests before giving up (best effort). One opens all the missing connections unless one
    // failed or dropped meanwhile; the next opens what it left missing.
    private const int Rounds = 3;

    // A margin under the pool's idle timeout: a connection about to be dropped is as good as gone.
    private static readonly TimeSpan Fresh = WarmupHttp.PooledConnectionIdleTimeout * 0.75;

    private readonly ConcurrentDictionary<string, State> _targets = new(StringComparer.Ordinal);

    // Looked up once: the client's handler never changes, and this runs before every measured request.
    private readonly OpenConnections? _pool = OpenConnections.Of(http);

    /// <summary>
    /// Makes sure <paramref name="count"/> connections to the target are open (best effort: a refused readiness
    /// request is ignored, the measured request reports what is wrong). Returns at once when they already are.
    /// </summary>
    public async Task EnsureOpenAsync(WarmupTarget target, IDialect dialect, int count, CancellationToken cancellationToken)
    {
        var state = _targets.GetOrAdd(target.BaseUrl.GetLeftPart(UriPartial.Authority), _ => new State());
        if (_pool is not { } pool)
        {
            // A client this probe did not build: its connections cannot be counted, only assumed open after as many
            // concurrent readiness requests. Usually true; a fast empty response can free a connection that a later
            // request of the same batch then reuses, and the burst finds the pool one short.
            if (state.Claim(count))
            {
                await OpenAsync(target, dialect, count, round: null, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (state.Silent())
        {
            // The target answered no readiness request, nor any request since: trying again before every request would
            // add a connect timeout to each, and the measured request reports what is wrong anyway.
            return;
        }

        for (var round = 0; pool.Count(target.BaseUrl, Fresh) < count; round++)
        {
            // A connection the pool is still opening (for a readiness request another connection then served, or for
            // any earlier request) is one fewer to open, and a measured request must not wait for it either.
            await pool.OpenedAsync(target.BaseUrl, cancellationToken).ConfigureAwait(false);
            if (round == Rounds || pool.Count(target.BaseUrl, Fresh) >= count)
            {
                return;
            }

            var answered = await OpenAsync(target, dialect, count, new OpenConnections.Round(count), cancellationToken).ConfigureAwait(false);
            state.ReadinessAnswered(answered);
            if (!answered)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Records that a request to the target just ended, so its connection is known open for a while (a pool that is not
    /// counted), or, when the readiness requests went unanswered, whether the target answers again.
    /// </summary>
    public void Used(WarmupTarget target, bool answered)
    {
        if (_targets.TryGetValue(target.BaseUrl.GetLeftPart(UriPartial.Authority), out var state))
        {
            state.Touch(answered);
        }
    }

    /// <summary>
    /// Sends <paramref name="count"/> readiness requests at once, even where some connections are open: the pool hands
    /// each request an idle connection first, so only count concurrent requests reach past the open ones and make the
    /// pool open the missing ones. With a <paramref name="round"/> each request holds its connection until all have
    /// one; without (a pool that is not counted) a request can still reuse a connection another request freed.
    /// False when a request got no response.
    /// </summary>
    private async Task<bool> OpenAsync(
        WarmupTarget target, IDialect dialect, int count, OpenConnections.Round? round, CancellationToken cancellationToken)
    {
        var answered = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => OpenOneAsync(target, dialect, round, cancellationToken))).ConfigureAwait(false);
        return answered.All(a => a);
    }

    private async Task<bool> OpenOneAsync(WarmupTarget target, IDialect dialect, OpenConnections.Round? round, CancellationToken cancellationToken)
    {
        using var joined = round?.Join();
        try
        {
            using var message = dialect.CreateReadinessRequest(target);
            await authenticator.AuthenticateAsync(target, message, cancellationToken).ConfigureAwait(false);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(WarmupHttp.ConnectTimeout);
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, deadline.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Best effort: the measured request that follows reports whatever is wrong with the target.
            return false;
        }
    }

    private sealed class State
    {
        private readonly Lock _gate = new();

        // Uncounted pool: connections it still holds, none once it may have dropped them as idle.
        private int _open;
        private long _lastUsed;

        // Counted pool: a round of readiness requests went unanswered, then no request within the idle margin was answered.
        private long _unanswered;

        /// <summary>True when <paramref name="count"/> concurrent requests need more connections than are open; claims them.</summary>
        public bool Claim(int count)
        {
            lock (_gate)
            {
                if (_lastUsed == 0 || Stopwatch.GetElapsedTime(_lastUsed) > Fresh)
                {
                    _open = 0;
                }

                var missing = count > _open;
                _open = Math.Max(_open, count);
                _lastUsed = Stopwatch.GetTimestamp();
                return missing;
            }
        }

        public void Touch(bool answered)
        {
            lock (_gate)
            {
                _lastUsed = Stopwatch.GetTimestamp();
                if (_unanswered != 0)
                {
                    _unanswered = answered ? 0 : _lastUsed;
                }
            }
        }

        public void ReadinessAnswered(bool answered)
        {
            lock (_gate)
            {
                _unanswered = answered ? 0 : Stopwatch.GetTimestamp();
            }
        }

        /// <summary>No answer to the last readiness requests, nor to any request since, the last one a moment ago.</summary>
        public bool Silent()
        {
            lock (_gate)
            {
                return _unanswered != 0 && Stopwatch.GetElapsedTime(_unanswered) < Fresh;
            }
        }
    }
}
