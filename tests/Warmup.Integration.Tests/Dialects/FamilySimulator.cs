using Warmup.Core.Probing;
using Warmup.Core.Targets;
using Warmup.Simulator;

namespace Warmup.Integration.Tests.Dialects;

/// <summary>A simulator impersonating one server family on loopback, and a target of the matching dialect.</summary>
internal static class FamilySimulator
{
    public static SimulatorProfile Profile(double startupDelayMs = 0) =>
        SimulatorProfile.Default with { TimeScale = 0.02, StartupDelayMs = startupDelayMs / 0.02, JitterFraction = 0 };

    public static Task<SimulatorHost> StartAsync(string family, double startupDelayMs = 0, string? apiKey = null) =>
        SimulatorHost.StartAsync(new SimulatorOptions { Family = family, Profile = Profile(startupDelayMs), ApiKey = apiKey }, CancellationToken.None);

    public static WarmupTarget Target(SimulatorHost sim, string dialect, string? deployment = null, string api = OpenAiApis.Completions) => new()
    {
        Name = "sim",
        BaseUrl = sim.BaseUrl,
        Dialect = dialect,
        Model = SimulatorProfile.Default.Model,
        Api = api,
        Auth = new TargetAuth { ApiKeySetting = dialect == "azureml" ? "SIM_KEY" : null, AzureMlDeployment = deployment },
        Limits = new TargetLimits { ReadyDeadline = TimeSpan.FromSeconds(20), RequestTimeout = TimeSpan.FromSeconds(20) },
    };

    public static HttpClient Client() => WarmupHttp.CreateClient();
}
