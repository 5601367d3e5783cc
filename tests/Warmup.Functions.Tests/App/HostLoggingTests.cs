using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Warmup.Core.Targets;
using Warmup.Functions.Configuration;
using Warmup.Functions.Telemetry;

namespace Warmup.Functions.Tests.App;

/// <summary>Where the app's own log lines go: the host's log without Application Insights, and start-up problems on stderr.</summary>
public sealed class HostLoggingTests
{
    // The worker capability with which UseFunctionsWorkerDefaults() tells the host "I export my own logs".
    private const string WorkerExportsItsOwnTelemetry = "WorkerOpenTelemetryEnabled";

    private static WorkerOptions WorkerOptionsWith(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddOptions().AddWarmupTelemetry(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<WorkerOptions>>().Value;
    }

    [Fact]
    public void Without_application_insights_the_host_keeps_writing_the_workers_logs()
    {
        var options = WorkerOptionsWith([]);

        Assert.False(options.Capabilities.ContainsKey(WorkerExportsItsOwnTelemetry));
    }

    [Fact]
    public void With_application_insights_the_worker_exports_its_own_logs_and_says_so()
    {
        var options = WorkerOptionsWith(new() { [AppSettingNames.AppInsightsConnectionString] = "InstrumentationKey=00000000-0000-0000-0000-000000000000" });

        Assert.Equal(bool.TrueString, options.Capabilities[WorkerExportsItsOwnTelemetry]);
    }

    [Fact]
    public async Task Start_up_writes_one_line_per_bad_target_to_stderr()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [AppSettingNames.Targets] = """[ { "name": "good", "baseUrl": "http://127.0.0.1:8000", "model": "m" }, { "name": "broken", "baseUrl": "not a url", "model": "m" }, { "name": "worse", "model": "m" } ]""",
        }).Build();
        var catalog = TargetCatalog.FromConfiguration(configuration, AppSettingNames.Targets);
        var stderr = new StringWriter();

        await new StartupReport(new StartupValidation(catalog, [], configuration), NullLogger<StartupReport>.Instance, stderr).StartAsync(CancellationToken.None);

        var problems = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith(StartupReport.ProblemPrefix)).ToList();
        Assert.Equal(2, problems.Count);
        Assert.StartsWith(StartupReport.ProblemPrefix + "target 'broken': baseUrl", problems[0]);
        Assert.StartsWith(StartupReport.ProblemPrefix + "target 'worse': baseUrl", problems[1]);
        Assert.Contains("Warmup loaded 1 target(s): good", stderr.ToString());
    }
}
