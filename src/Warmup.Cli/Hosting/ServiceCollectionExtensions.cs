using Microsoft.Extensions.DependencyInjection;
using Warmup.Core.Probing;
using Warmup.Core.Targets;

namespace Warmup.Cli.Hosting;

internal static class ServiceCollectionExtensions
{
    /// <summary>What every CLI run registers beside the engine: its targets and environment-variable API keys.</summary>
    public static IServiceCollection AddSingletonCatalog(this IServiceCollection services, ITargetCatalog catalog) =>
        services.AddSingleton(catalog).AddSingleton<IRequestAuthenticator>(new EnvironmentApiKeyAuthenticator());
}
