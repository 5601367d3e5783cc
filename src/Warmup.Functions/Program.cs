using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Warmup.Functions.Configuration;
using Warmup.Functions.Telemetry;

var builder = FunctionsApplication.CreateBuilder(args);

builder.ConfigureFunctionsWebApplication();
builder.Services.AddWarmupFunctions(builder.Configuration);
builder.Services.AddWarmupTelemetry(builder.Configuration);

builder.Build().Run();
