using Warmup.Simulator.Api;
using Warmup.Simulator.Engine;
using Warmup.Simulator.Faults;
using Warmup.Simulator.Metrics;

namespace Warmup.Simulator;

/// <summary>
/// One served model with its own engine and therefore its own cold state. A plain server has one; the Azure ML family
/// hosts two behind one endpoint, so a test can prove which one a request reached.
/// </summary>
internal sealed class SimDeployment
{
    public SimDeployment(
        string name, SimulatorProfile profile, SimClock clock, SimulatorLog log, FaultInjector faults, long created, CancellationToken stopping,
        AzureMlRequestSettings? requestSettings = null)
    {
        Name = name;
        FrontEnd = new AzureMlFrontEndQueue(requestSettings ?? AzureMlRequestSettings.Default, profile.TimeScale);
        Metrics = new SimMetrics(profile.Model, profile.MaxModelLen, profile.MaxLoras, profile.LoraAdapters.Count > 0);
        Engine = new InferenceEngine(profile, clock, Metrics);
        Generation = new GenerationHandler(profile, clock, Engine, log, faults, stopping);
        Operations = new OperationalEndpoints(profile, Metrics, log, Engine, created);
    }

    public string Name { get; }

    /// <summary>Azure ML only: the front end's admission and timeout for this deployment.</summary>
    public AzureMlFrontEndQueue FrontEnd { get; }

    public SimMetrics Metrics { get; }

    public InferenceEngine Engine { get; }

    public GenerationHandler Generation { get; }

    public OperationalEndpoints Operations { get; }
}
