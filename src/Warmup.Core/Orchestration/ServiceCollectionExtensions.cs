using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Warmup.Core.Adaptive;
using Warmup.Core.Dialects;
using Warmup.Core.Probing;
using Warmup.Core.Prompts;
using Warmup.Core.Readiness;
using Warmup.Core.Reliability;
using Warmup.Core.Reporting;
using Warmup.Core.ShapeMaps;
using Warmup.Core.Targets;

namespace Warmup.Core.Orchestration;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers what the warm-up activities need: the shared streaming HttpClient, TimeProvider.System, the prompt
    /// factory, readiness gate, streaming probe, DialectRegistry.Default and the activity classes themselves (the
    /// Functions shims resolve them from DI). Uses TryAdd, so a host's own registration wins.
    /// The host still registers an <see cref="ITargetCatalog"/> and its <see cref="IWarmupResultSink"/>s, and usually an
    /// <see cref="IRequestAuthenticator"/> (the default one refuses targets that need credentials).
    /// </summary>
    public static IServiceCollection AddWarmupEngine(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddLogging();
        // Side requests (/v1/models, /tokenize, /metrics) get the target's credentials too; see the handler.
        services.TryAddSingleton(sp => WarmupHttp.CreateClient(new TargetAuthenticatingHandler(
            sp.GetRequiredService<ITargetCatalog>(), sp.GetRequiredService<IRequestAuthenticator>())
        {
            InnerHandler = WarmupHttp.CreateHandler(),
        }));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(DialectRegistry.Default);
        services.TryAddSingleton<IRequestAuthenticator, NoAuthentication>();
        services.TryAddSingleton<PromptFactory>();
        services.TryAddSingleton<ReadinessGate>();
        services.TryAddSingleton<ReadinessWatch>();
        // Process-wide on purpose: a Retry-After or an open circuit holds for every activity of the run in this process.
        services.TryAddSingleton<RetryAfterGate>();
        services.TryAddSingleton<RunCircuit>();
        services.TryAddSingleton<StreamingProbe>();
        services.TryAddSingleton<RunWaitCancellation>();
        services.TryAddTransient<WaitUntilReadyActivity>();
        services.TryAddTransient<ResolvePlanActivity>();
        services.TryAddTransient<RunStepActivity>();
        services.TryAddTransient<VerifyActivity>();
        services.TryAddTransient<RecordActivity>();
        services.TryAddTransient<ReadLoadActivity>();
        // Hosts register their own store (CLI: a file in the user's cache folder; Functions: a Durable entity).
        services.TryAddSingleton<IShapeMapStore, InMemoryShapeMapStore>();
        // Only the Functions app observes users' traffic (its idle timer); elsewhere the plan covers the context evenly.
        services.TryAddSingleton<Traffic.IObservedTrafficStore, Traffic.NoObservedTrafficStore>();
        services.TryAddTransient<PlanRoundActivity>();
        services.TryAddTransient<SaveShapeMapActivity>();
        services.TryAddTransient<WarmupOrchestrator>();
        return services;
    }
}
