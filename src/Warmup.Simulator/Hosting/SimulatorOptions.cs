using Warmup.Simulator.Faults;

namespace Warmup.Simulator;

/// <summary>How to run one simulator instance.</summary>
public sealed record SimulatorOptions
{
    public SimulatorProfile Profile { get; init; } = SimulatorProfile.Default;

    /// <summary>TCP port; 0 picks a free ephemeral port (read it from <see cref="SimulatorHost.BaseUrl"/>).</summary>
    public int Port { get; init; }

    /// <summary>IP address to bind ("localhost" means 127.0.0.1).</summary>
    public string Host { get; init; } = "127.0.0.1";

    public FaultPlan Faults { get; init; } = FaultPlan.None;

    /// <summary>When set, every request record is appended to this file as one JSON line.</summary>
    public string? LogFile { get; init; }

    /// <summary>When set, /v1/* requires <c>Authorization: Bearer {ApiKey}</c> (vLLM --api-key).</summary>
    public string? ApiKey { get; init; }

    /// <summary>Which server to impersonate, see <see cref="ServerFamily"/> (default vLLM).</summary>
    public string Family { get; init; } = ServerFamily.Vllm;

    /// <summary>llama.cpp: the number of slots (--parallel); more concurrent requests wait (requests_deferred).</summary>
    public int LlamaCppSlots { get; init; } = 4;

    /// <summary>Azure ML: the deployments behind the endpoint; the first takes 100 % of the traffic split.</summary>
    public IReadOnlyList<string> AzureMlDeployments { get; init; } = ["blue", "green"];
}
