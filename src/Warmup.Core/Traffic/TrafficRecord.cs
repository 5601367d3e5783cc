using System.Text.Json.Serialization;
using Warmup.Core.Dialects.Metrics;

namespace Warmup.Core.Traffic;

/// <summary>Users' requests whose prompt length fell in (<paramref name="Low"/>, <paramref name="High"/>] tokens.</summary>
public sealed record UserBucket(
    double Low,
    [property: JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)] double High,
    double Requests);

/// <summary>
/// Per target, what the idle timer has learned of its users' traffic (kept in a Durable entity in the Functions app):
/// the server's cumulative prompt histogram at the last check, users' requests per bucket since observation began,
/// the most requests seen running, and the adapters in use. Updated by <see cref="TrafficLedger"/>.
/// </summary>
public sealed record TrafficRecord
{
    public string Target { get; init; } = "";

    /// <summary>The model the observations were made for; a model change starts them over.</summary>
    public string? Model { get; init; }

    public DateTimeOffset? Since { get; init; }

    public DateTimeOffset CheckedAt { get; init; }

    /// <summary>The server's cumulative prompt-length histogram at the last check (the base of the next delta); empty when it had none.</summary>
    public IReadOnlyList<HistogramBucket> LastScrape { get; init; } = [];

    /// <summary>Users' requests per prompt-length bucket since <see cref="Since"/>, Warmup's own taken out.</summary>
    public IReadOnlyList<UserBucket> UserPrompts { get; init; } = [];

    public int MaxRunning { get; init; }

    /// <summary>Checks at which the server's counters had gone down (a restart), so the delta started over from zero.</summary>
    public int CounterResets { get; init; }

    public IReadOnlyList<string> AdaptersByUse { get; init; } = [];

    public int? MaxLoadedAdapters { get; init; }

    /// <summary>The planner's view: the range of buckets users' prompts fell in, the max running, the adapters.</summary>
    public ObservedTraffic Observed()
    {
        var used = UserPrompts.Where(b => b.Requests > 0).ToList();
        int? low = used.Count == 0 ? null : (int)Math.Max(1, used.Min(b => b.Low) + 1);
        int? high = used.Count == 0 || double.IsPositiveInfinity(used.Max(b => b.High)) ? null : (int)used.Max(b => b.High);
        return new ObservedTraffic(low, high, MaxRunning, (long)used.Sum(b => b.Requests))
        {
            AdaptersByUse = AdaptersByUse,
            MaxLoadedAdapters = MaxLoadedAdapters,
        };
    }
}
