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

    /// <summary>
    /// Triton: the port of its metrics endpoint (Triton's --metrics-port, 8002 by default), which serves /metrics and
    /// nothing else; the main port has no /metrics. 0 picks a free port (read it from <see cref="SimulatorHost.MetricsUrl"/>).
    /// </summary>
    public int TritonMetricsPort { get; init; }

    /// <summary>Azure ML: the deployments behind the endpoint; the first takes 100 % of the traffic split.</summary>
    public IReadOnlyList<string> AzureMlDeployments { get; init; } = ["blue", "green"];

    /// <summary>Azure ML: a deployment's request_settings by name; a deployment not named here has Azure ML's defaults.</summary>
    public IReadOnlyDictionary<string, AzureMlRequestSettings> AzureMlRequestSettings { get; init; } = new Dictionary<string, AzureMlRequestSettings>();

    /// <summary>The request_settings the front end enforces for <paramref name="deployment"/>.</summary>
    public AzureMlRequestSettings RequestSettingsOf(string deployment) =>
        AzureMlRequestSettings.TryGetValue(deployment, out var settings) ? settings : Simulator.AzureMlRequestSettings.Default;
}
