using System.Globalization;
using Warmup.Core.Analysis;

namespace Warmup.Core.Reliability;

/// <summary>
/// What a server's metrics say about the process that answered: when it started (<c>process_start_time_seconds</c>,
/// where the page has it) and a monotonic counter of what it has served (<c>vllm:request_success_total</c> and its peers,
/// <see cref="Dialects.ServerLoad.ActivityCounter"/>). Read before every level and again when a server that went away
/// answers, to tell a restart, which has lost everything the run warmed, from a server that was only unreachable.
/// </summary>
/// <param name="StartTimeSeconds">The process start time (unix seconds); null when the page has none.</param>
/// <param name="Counter">The counter's name; null when the server exports none (or no metrics at all).</param>
/// <param name="Served">The counter's value.</param>
public sealed record ServerProcess(double? StartTimeSeconds, string? Counter, double Served)
{
    /// <summary>
    /// Whether the process that answers now (<paramref name="after"/>) is a new one. A different start time says so
    /// outright. Without start times, the counter decides: it only falls when the process is new (Prometheus counters
    /// start from zero), and the same process has counted at least what this run was served since
    /// <paramref name="before"/> was read (<paramref name="since"/>: its requests that succeeded for a request counter,
    /// their generated tokens for a token counter). A counter below that means a restart. Unknown (null) when either
    /// reading lacks both: the run then assumes a restart.
    /// </summary>
    public static RestartCheck Compare(ServerProcess? before, ServerProcess? after, Served since)
    {
        if (before?.StartTimeSeconds is { } was && after?.StartTimeSeconds is { } now)
        {
            return Math.Abs(now - was) < 0.001
                ? new RestartCheck(false, Invariant($"process_start_time_seconds unchanged at {now:0.###}"))
                : new RestartCheck(true, Invariant($"process_start_time_seconds changed from {was:0.###} to {now:0.###}"));
        }

        if (before?.Counter is { } counter && after?.Counter == counter)
        {
            var expected = before.Served + (Dialects.ServerLoad.CountsTokens(counter) ? since.OutputTokens : since.Requests);
            return after.Served >= expected
                ? new RestartCheck(false, Invariant($"{counter} went on from {before.Served:0} to {after.Served:0}, at least the {expected:0} of the same process"))
                : new RestartCheck(true, Invariant($"{counter} was {before.Served:0} and reads {after.Served:0}, below the {expected:0} the same process would show"));
        }

        return new RestartCheck(null, "the server's metrics show neither a process start time nor an activity counter before and after");
    }

    /// <summary>
    /// Whether <paramref name="after"/> is certainly a new process since <paramref name="before"/>, with nothing known of
    /// what happened between: it started after every process seen so far (<paramref name="latestStart"/>, at least
    /// <paramref name="before"/>'s; one that started earlier, or was seen already, is another replica behind the same
    /// address), or, without start times, the counter fell (a counter never falls within one process). Null otherwise,
    /// unknown included. For readings between levels, where no request failed: a restart claimed there on weaker
    /// evidence would send the run's steps again for nothing.
    /// </summary>
    public static RestartCheck? CertainRestart(ServerProcess? before, ServerProcess? after, double? latestStart = null)
    {
        var check = Compare(before, after, default);
        var startedBefore = Math.Max(before?.StartTimeSeconds ?? double.MinValue, latestStart ?? double.MinValue);
        return check.Restarted != true || after?.StartTimeSeconds <= startedBefore + 0.001 ? null : check;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>What <see cref="ServerProcess.Compare"/> found: a restart (true), the same process (false), or unknown (null), and why.</summary>
public sealed record RestartCheck(bool? Restarted, string Evidence);

/// <summary>
/// What a server served the run: its requests that succeeded, and the tokens it generated (failed requests' streamed
/// tokens included: if the server never counted those, the same process falls short and reads as a restart, which only
/// costs a re-send; leaving them out could let a restarted server pass).
/// </summary>
public readonly record struct Served(long Requests, long OutputTokens)
{
    public static Served Of(IEnumerable<StepResult> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        return steps.Aggregate(default(Served), (sum, s) => sum + new Served(s.Succeeded, s.OutputTokens));
    }

    public static Served operator +(Served a, Served b) => new(a.Requests + b.Requests, a.OutputTokens + b.OutputTokens);

    public static Served operator -(Served a, Served b) => new(a.Requests - b.Requests, a.OutputTokens - b.OutputTokens);
}
