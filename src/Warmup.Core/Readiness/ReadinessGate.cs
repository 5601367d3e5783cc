#pragma warning disable CS9113 // STUB: remove with the implementation
using Warmup.Core.Dialects;
using Warmup.Core.Targets;

namespace Warmup.Core.Readiness;

/// <summary>
/// Polls the dialect's readiness signal with exponential backoff until it answers ready or the deadline
/// passes. No fixed sleeps. Connection refused (vLLM, TGI while loading) and 503 (llama.cpp "Loading model")
/// both mean "not yet".
/// </summary>
public sealed class ReadinessGate(HttpClient http, IRequestAuthenticator authenticator, TimeProvider time)
{
    public Task<ReadinessResult> WaitAsync(WarmupTarget target, IDialect dialect, TimeSpan deadline, CancellationToken cancellationToken)
        => throw new NotImplementedException();
}
