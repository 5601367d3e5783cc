namespace Warmup.Simulator.Faults;

/// <summary>Decides, per generation request, which fault (if any) applies. Thread-safe.</summary>
internal sealed class FaultInjector(FaultPlan plan)
{
    private readonly long[] _seen = new long[plan.Rules.Count];
    private readonly long[] _burstLeft = new long[plan.Rules.Count];
    private readonly Lock _lock = new();

    /// <summary>The first matching rule for the next request; every rule counts every request.</summary>
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
                else
                {
                    hit = rule.Selector.Matches(number);
                }

                chosen ??= hit ? rule : null;
            }
        }

        return chosen;
    }
}
