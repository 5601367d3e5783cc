namespace Warmup.Simulator;

/// <summary>
/// One simulated Azure ML deployment's <c>request_settings</c>, enforced by the simulated front end as Azure ML does
/// (protocols.md §8): a request whose first byte would come after <see cref="RequestTimeoutMs"/> (queueing included)
/// gets HTTP 408, and beyond 2 × <see cref="MaxConcurrentRequestsPerInstance"/> × <see cref="InstanceCount"/> requests
/// in flight the front end answers 429 "Too many pending requests"; up to that, requests over the running limit queue.
/// The defaults are Azure ML's.
/// </summary>
public sealed record AzureMlRequestSettings
{
    public static AzureMlRequestSettings Default { get; } = new();

    /// <summary>request_timeout_ms. Like every modelled duration it is multiplied by the profile's TimeScale (but never under 1 s).</summary>
    public int RequestTimeoutMs { get; init; } = 5000;

    /// <summary>max_concurrent_requests_per_instance: requests one instance runs at once.</summary>
    public int MaxConcurrentRequestsPerInstance { get; init; } = 1;

    public int InstanceCount { get; init; } = 1;

    /// <summary>Requests the deployment runs at once; more wait in the front end's queue.</summary>
    public int Running => MaxConcurrentRequestsPerInstance * InstanceCount;

    /// <summary>Requests the front end admits (running and queued); one more is a 429.</summary>
    public int Admitted => 2 * Running;
}
