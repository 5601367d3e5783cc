namespace Warmup.Core.Readiness;

/// <summary>What the readiness gate saw. "Ready" only means the server answers; it does not mean warm.</summary>
public sealed record ReadinessResult(bool Ready, double TimeToReadyMs, int Attempts, string? LastError, int? MaxContext = null);
