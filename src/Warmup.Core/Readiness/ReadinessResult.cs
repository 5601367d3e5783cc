namespace Warmup.Core.Readiness;

/// <summary>What the readiness gate saw. "Ready" only means the server answers; it does not mean warm.</summary>
/// <param name="ConfigurationError">
/// Set when the target's configuration cannot work, whatever the wait: a permanent answer on the readiness route
/// (404, 401, 403) or a model or adapter the server does not list. The run then ends as
/// <see cref="Reporting.RunOutcomes.Misconfigured"/> before any warm-up traffic.
/// </param>
public sealed record ReadinessResult(
    bool Ready, double TimeToReadyMs, int Attempts, string? LastError, int? MaxContext = null, string? ConfigurationError = null);
