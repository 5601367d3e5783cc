using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Hosting;
using Warmup.Functions.Configuration;
using Warmup.Functions.Telemetry;

var builder = FunctionsApplication.CreateBuilder(args);

// Lowest-priority defaults for the worker's own reads. Binding expressions (%WARMUP_IDLE_SCHEDULE%,
// %WARMUP_DEPLOYMENT_QUEUE%) are resolved by the Functions host from its app settings, so those must still be set there
// (infra and local.settings.sample.json do); see docs/functions-local.md.
builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
{
    InitialData = new Dictionary<string, string?> { [AppSettingNames.IdleSchedule] = WarmupOptions.DefaultIdleSchedule },
});

builder.ConfigureFunctionsWebApplication();
builder.Services.AddWarmupFunctions(builder.Configuration);
builder.Services.AddWarmupTelemetry(builder.Configuration);

builder.Build().Run();
