#pragma warning disable CS9113 // STUB: remove with the implementation
using Warmup.Core.Dialects;
using Warmup.Core.Targets;

namespace Warmup.Core.Probing;

/// <summary>
/// Sends one streamed generation request and records its timeline. Never throws for endpoint failures:
/// refused connections, HTTP errors, timeouts and broken streams come back as a <see cref="ProbeResult"/>.
/// Only cancellation by the caller propagates.
/// </summary>
public sealed class StreamingProbe(HttpClient http, IRequestAuthenticator authenticator)
{
    public Task<ProbeResult> SendAsync(
        WarmupTarget target,
        IDialect dialect,
        GenerationRequest request,
        string correlationId,
        CancellationToken cancellationToken) => throw new NotImplementedException();
}
