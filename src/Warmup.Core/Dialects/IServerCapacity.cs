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
public sealed record ServerCapacity(int? MaxConcurrency, string Note);
