namespace Warmup.Core.Traffic;

/// <summary>
/// Where a target's <see cref="TrafficRecord"/> is kept. The Functions app keeps it in a Durable entity written by its
/// idle timer; the CLI has no timer watching users, so it has none (<see cref="NoObservedTrafficStore"/>).
/// </summary>
public interface IObservedTrafficStore
{
    Task<TrafficRecord?> GetAsync(string target, CancellationToken cancellationToken);

    Task SaveAsync(TrafficRecord record, CancellationToken cancellationToken);
}

/// <summary>Nothing observed, nothing kept: planning covers the whole context evenly.</summary>
public sealed class NoObservedTrafficStore : IObservedTrafficStore
{
    public Task<TrafficRecord?> GetAsync(string target, CancellationToken cancellationToken) => Task.FromResult<TrafficRecord?>(null);

    public Task SaveAsync(TrafficRecord record, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Keeps records for the life of the process (tests, and hosts that observe traffic in one process).</summary>
public sealed class InMemoryObservedTrafficStore : IObservedTrafficStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TrafficRecord> _records = new(StringComparer.Ordinal);

    public Task<TrafficRecord?> GetAsync(string target, CancellationToken cancellationToken)
        => Task.FromResult(_records.TryGetValue(target, out var record) ? record : null);

    public Task SaveAsync(TrafficRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        _records[record.Target] = record;
        return Task.CompletedTask;
    }
}
