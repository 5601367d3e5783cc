using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Warmup.Core.Dialects;
using Warmup.Core.Orchestration;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;
using Warmup.Core.Telemetry;
using Warmup.Functions.Auth;
using Warmup.Functions.Events;
using Warmup.Functions.Idle;
using Warmup.Functions.Starting;
using Warmup.Functions.Telemetry;

namespace Warmup.Functions.Configuration;

public static class FunctionsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the triggers' services (the validated target catalog, trigger policy options, event matching, the
    /// starter, idle checking, the app's request authenticator) and the warm-up engine. Configuration is read once, here.
    /// </summary>
    public static IServiceCollection AddWarmupFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        var catalog = TargetCatalog.FromConfiguration(configuration, AppSettingNames.Targets);
        var settingProblems = new List<string>();
        var options = WarmupOptions.FromConfiguration(configuration, settingProblems);

        services.AddSingleton<ITargetCatalog>(catalog);
        services.AddSingleton(options);
        services.AddSingleton(new StartupValidation(catalog, settingProblems, configuration));
        services.AddHostedService<StartupReport>();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new WarmupEvents(sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<IWarmupEventSink, WarmupEventsSink>();
        services.AddSingleton<DeploymentEventMatcher>();
        services.AddSingleton<DeploymentEventProcessor>();
        services.AddSingleton<WarmupStarter>();

        services.AddSingleton(DialectRegistry.Default);
        services.AddSingleton<IServerLoadReader, DialectServerLoadReader>();
        services.AddSingleton<IIdleStateStore, EntityIdleStateStore>();
        services.AddSingleton<Func<Microsoft.DurableTask.Client.DurableTaskClient, Core.Traffic.IObservedTrafficStore>>(
            _ => client => new Traffic.EntityObservedTrafficStore(client));
        services.AddSingleton<ObservedTrafficRecorder>();

        services.AddSingleton<TokenCredential>(_ => new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            // The user-assigned identity in Azure; unset locally, where developer credentials (az login) are used.
            ManagedIdentityClientId = configuration[AppSettingNames.ManagedIdentityClientId],
        }));
        services.AddSingleton<IRequestAuthenticator, AppSettingsAuthenticator>();

        // The engine (activities, probe, readiness gate, ...); its TryAdd registrations yield to the ones above.
        services.AddSingleton<IWarmupResultSink, TelemetryResultSink>();
        services.AddWarmupEngine();
        return services;
    }
}
