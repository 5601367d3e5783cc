using Warmup.Core.Targets;

namespace Warmup.Core.Dialects;

/// <summary>
/// A dialect whose front end answers with status codes that mean something specific (Azure ML: 404 unknown deployment,
/// 408 request_timeout_ms, 429 max_concurrent_requests_per_instance). The probe and the readiness gate append the
/// explanation to the server's own message, so the report says what the error is, not only its number.
/// </summary>
public interface IHttpErrorExplainer
{
    /// <summary>What <paramref name="status"/> means for this target, or null when there is nothing to add.</summary>
    string? Explain(WarmupTarget target, int status);
}
