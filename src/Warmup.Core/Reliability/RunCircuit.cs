using System.Collections.Concurrent;
using System.Globalization;
using Warmup.Core.Probing;

namespace Warmup.Core.Reliability;

/// <summary>
/// Stops a run from sending the rest of its plan into a failing server. Counts the answers of each run (keyed by
/// target and correlation id, shared by every activity in this process) and opens when
/// <list type="bullet">
/// <item>the target refused the credentials (HTTP 401/403): at once, a refused key is not transient;</item>
/// <item>costly failures (timeouts, resets, broken streams, 5xx other than 503) reach <see cref="MinCostlyFailures"/> and
/// more than <see cref="Targets.TargetLimits.AbortFailedShare"/> of the run's answers;</item>
/// <item>busy answers (429, 503: quick, and transient by definition) reach <see cref="MinBusyFailures"/> and that share.</item>
/// </list>
/// Once open, the probe does not send the run's further requests (they come back as <see cref="ProbeOutcome.NotSent"/>)
/// and the orchestrator ends the run as aborted. Per process: on Functions a run whose activities land on several
/// workers judges per worker, so each worker may send up to the minimum before it opens too.
/// </summary>
public sealed class RunCircuit(TimeProvider time)
{
    public const int MinCostlyFailures = 3;
    public const int MinBusyFailures = 10;

    /// <summary>
    /// A tally idle this long belongs to an earlier run and is forgotten (the Functions timeout, 30 min, bounds one
    /// activity; a run's requests follow each other much closer). A correlation id reused later (an Event Grid event
    /// redelivered after its run ended) therefore starts closed again.
    /// </summary>
    private static readonly TimeSpan Forget = TimeSpan.FromMinutes(30);

    private readonly ConcurrentDictionary<string, RunTally> _runs = new(StringComparer.Ordinal);

    /// <summary>Why the run's circuit is open, or null when requests may be sent.</summary>
    public string? OpenReason(string target, string correlationId)
        => _runs.TryGetValue(Key(target, correlationId), out var tally) && time.GetUtcNow() - tally.LastSeen <= Forget ? tally.OpenReason : null;

    public void Record(string target, string correlationId, double maxFailedShare, ProbeResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Outcome == ProbeOutcome.NotSent)
        {
            return;
        }

        var now = time.GetUtcNow();
        var key = Key(target, correlationId);
        var tally = _runs.GetOrAdd(key, _ => new RunTally());
        if (now - tally.LastSeen > Forget && tally.LastSeen != default)
        {
            var fresh = new RunTally();
            tally = _runs.TryUpdate(key, fresh, tally) ? fresh : _runs[key];
        }

        tally.Add(result, now, maxFailedShare);
        if (_runs.Count > 1000)
        {
            foreach (var (staleKey, old) in _runs)
            {
                if (now - old.LastSeen > Forget)
                {
                    _runs.TryRemove(staleKey, out _);
                }
            }
        }
    }

    /// <summary>
    /// Forgets what every run of <paramref name="target"/> counted: the server answered its readiness signal, so failures
    /// from before (a server that was gone) say nothing about it now. A run that resumes after an outage sends again.
    /// </summary>
    public void Reset(string target)
    {
        var prefix = Key(target, string.Empty);
        foreach (var key in _runs.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)))
        {
            _runs.TryRemove(key, out _);
        }
    }

    private static string Key(string target, string correlationId) => $"{target}\n{correlationId}";

    private sealed class RunTally
    {
        private readonly Lock _lock = new();
        private int _answers;
        private int _costly;
        private int _busy;

        public DateTimeOffset LastSeen { get; private set; }

        public string? OpenReason { get; private set; }

        public void Add(ProbeResult result, DateTimeOffset now, double maxFailedShare)
        {
            lock (_lock)
            {
                LastSeen = now;
                _answers++;
                if (result.IsSuccess || OpenReason is not null)
                {
                    return;
                }

                if (result.StatusCode is 401 or 403)
                {
                    OpenReason = string.Create(CultureInfo.InvariantCulture,
                        $"the target refused the credentials (HTTP {result.StatusCode}); not retried: check the target's API key or identity");
                    return;
                }

                if (result.StatusCode is 429 or 503)
                {
                    _busy++;
                }
                else
                {
                    _costly++;
                }

                var failed = _busy + _costly;
                if ((double)failed / _answers <= maxFailedShare)
                {
                    return;
                }

                if (_costly >= MinCostlyFailures || _busy >= MinBusyFailures)
                {
                    OpenReason = string.Create(CultureInfo.InvariantCulture,
                        $"{failed} of {_answers} requests failed (last: {result.Outcome}{(result.StatusCode is { } s ? $" {s}" : "")}), above the abort share of {maxFailedShare:P0}; the rest of the run was not sent");
                }
            }
        }
    }
}
