using Warmup.Core.Targets;

namespace Warmup.Core.Dialects;

/// <summary>
/// A server that answers ready before its model is in memory (Ollama loads on first use). The readiness gate calls
/// <see cref="PreloadAsync"/> once after the server is ready, inside the same deadline, so the load is timed as part of
/// readiness instead of landing on the first measured request.
/// </summary>
public interface IPreloadingDialect
{
    /// <summary>Loads the model; returns null on success, else what went wrong in one line.</summary>
    Task<string?> PreloadAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken);
}
