using System.Collections.Concurrent;

namespace Warmup.Core.Reliability;

/// <summary>
/// Honours <c>Retry-After</c> per target: once a target answered 429 (or 503) with a Retry-After, the next request to that
/// target from any activity of any run in this process waits until the hold has passed. One instance per process (a DI
/// singleton). On Azure Functions each worker process has its own gate: a worker that never saw the 429 does not wait, so
/// across workers the hold is best-effort (at most one extra request per worker before it sees a 429 itself).
/// </summary>
public sealed class RetryAfterGate(TimeProvider time)
{
    /// <summary>Longest hold honoured: a misconfigured server asking for an hour must not park a run past its deadline.</summary>
    public static readonly TimeSpan MaxHold = TimeSpan.FromSeconds(60);

    /// <summary>Hold after a 429 without a usable Retry-After: the server asked to slow down but did not say how much.</summary>
    public static readonly TimeSpan DefaultHold = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, long> _openAt = new(StringComparer.Ordinal);

    /// <summary>Holds every further request to <paramref name="target"/> for <paramref name="delay"/> (capped at <see cref="MaxHold"/>).</summary>
    public void Hold(string target, TimeSpan delay)
    {
        ArgumentNullException.ThrowIfNull(target);
        var clamped = delay > MaxHold ? MaxHold : delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
        var until = time.GetTimestamp() + (long)(clamped.TotalSeconds * time.TimestampFrequency);
        _openAt.AddOrUpdate(target, until, (_, current) => Math.Max(current, until));
    }

    /// <summary>Waits until <paramref name="target"/> is no longer held; returns how long it waited (zero when not held).</summary>
    public async Task<TimeSpan> WaitTurnAsync(string target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var started = time.GetTimestamp();
        var waited = false;
        // A loop, because another request may extend the hold while this one waits.
        while (_openAt.TryGetValue(target, out var until))
        {
            var remaining = until - time.GetTimestamp();
            if (remaining <= 0)
            {
                break;
            }

            waited = true;
            await Task.Delay(TimeSpan.FromSeconds((double)remaining / time.TimestampFrequency), time, cancellationToken).ConfigureAwait(false);
        }

        return waited ? time.GetElapsedTime(started) : TimeSpan.Zero;
    }

    /// <summary>The hold a response asks for: its Retry-After (seconds or a date) on 429/503, <see cref="DefaultHold"/> on a bare 429.</summary>
    public TimeSpan? HoldFor(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var status = (int)response.StatusCode;
        if (status is not (429 or 503))
        {
            return null;
        }

        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            return date - time.GetUtcNow();
        }

        return status == 429 ? DefaultHold : null;
    }
}
