namespace Warmup.Simulator.Faults;

/// <summary>Decides, per generation request, which fault (if any) applies. Thread-safe.</summary>
internal sealed class FaultInjector(FaultPlan plan, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private long _downUntil;
    private readonly long[] _seen = new long[plan.Rules.Count];
    private readonly long[] _burstLeft = new long[plan.Rules.Count];
    private readonly bool[] _died = new bool[plan.Rules.Count];
    private readonly Lock _lock = new();

    /// <summary>True while a <see cref="FaultKind.DieAndReturn"/> or <see cref="FaultKind.Restart"/> outage lasts: the host drops every connection.</summary>
    public bool IsDown => _time.GetTimestamp() < Interlocked.Read(ref _downUntil);

    /// <summary>
    /// The first matching rule for the next request; every rule counts every request. A slower-and-slower rule comes back
    /// with its Duration multiplied by the request's number; a die rule starts the outage.
    /// </summary>
    public FaultRule? Next()
    {
        if (plan.IsEmpty)
        {
            return null;
        }

        FaultRule? chosen = null;
        lock (_lock)
        {
            for (var i = 0; i < plan.Rules.Count; i++)
            {
                var rule = plan.Rules[i];
                var number = ++_seen[i];
                bool hit;
                if (rule.Kind == FaultKind.ServiceUnavailable)
                {
                    if (_burstLeft[i] == 0 && rule.Selector.Matches(number))
                    {
                        _burstLeft[i] = rule.BurstLength;
                    }

                    hit = _burstLeft[i] > 0;
                    if (hit)
                    {
                        _burstLeft[i]--;
                    }
                }
                else if (rule.Kind is FaultKind.DieAndReturn or FaultKind.Restart)
                {
                    // A server dies once: the first selected request brings it down, later ones are served normally.
                    hit = !_died[i] && rule.Selector.Matches(number);
                    _died[i] |= hit;
                }
                else
                {
                    hit = rule.Selector.Matches(number);
                }

                if (hit && chosen is null)
                {
                    chosen = rule.Kind switch
                    {
                        FaultKind.SlowerAndSlower => rule with { Duration = rule.Duration * number },
                        _ => rule,
                    };
                    if (rule.Kind is FaultKind.DieAndReturn or FaultKind.Restart)
                    {
                        Interlocked.Exchange(ref _downUntil, _time.GetTimestamp() + (long)(rule.Duration.TotalSeconds * _time.TimestampFrequency));
                    }
                }
            }
        }

        return chosen;
    }
}
