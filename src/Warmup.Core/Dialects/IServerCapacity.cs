using Warmup.Core.Targets;

namespace Warmup.Core.Dialects;

/// <summary>
/// A dialect that knows how many requests the server really runs at once (llama.cpp slots, an Azure ML deployment's
/// max_concurrent_requests_per_instance × instances). Above that, requests queue in the server: their TTFT would measure
/// the queue, not a cold path, so the plan's concurrency is capped to it.
/// </summary>
public interface IServerCapacity
{
    Task<ServerCapacity?> GetCapacityAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken);
}

/// <param name="MaxConcurrency">Most requests the server runs at once, or null when only the note applies.</param>
/// <param name="Note">Why, in words, for the plan's notes and the report.</param>
public sealed record ServerCapacity(int? MaxConcurrency, string Note)
{
    /// <summary>
    /// The target with its concurrency limit lowered to what the server runs at once, and the note saying why (null when
    /// the dialect knows nothing of the server's capacity). Every plan, fixed or adaptive, is built on this target.
    /// </summary>
    public static async Task<(WarmupTarget Target, string? Note)> ApplyAsync(IDialect dialect, HttpClient http, WarmupTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var capacity = dialect is IServerCapacity server
            ? await server.GetCapacityAsync(http, target, cancellationToken).ConfigureAwait(false)
            : null;
        if (capacity?.MaxConcurrency is { } cap && cap < target.Limits.MaxConcurrency)
        {
            target = target with { Limits = target.Limits with { MaxConcurrency = cap } };
        }

        return (target, capacity?.Note);
    }
}
