using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using Warmup.Core.Orchestration;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;
using Warmup.Functions.Auth;
using Warmup.Functions.Configuration;
using Warmup.Functions.Orchestration;
using Warmup.Functions.Tests.Support;
using Warmup.Functions.Triggers;

namespace Warmup.Functions.Tests.App;

public sealed class ServiceRegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddWarmupFunctions(configuration).BuildServiceProvider();
    }

    private static readonly Dictionary<string, string?> Settings = new()
    {
        [AppSettingNames.Targets] = """[ { "name": "good", "baseUrl": "http://127.0.0.1:8000", "model": "m", "auth": { "apiKeySetting": "GOOD_KEY" } }, { "name": "bad", "baseUrl": "gopher://x", "model": "m" } ]""",
        [AppSettingNames.DeploymentDebounceSeconds] = "90",
        [AppSettingNames.IdleWindowMinutes] = "soon",
    };

    [Fact]
    public void Every_trigger_and_activity_resolves_and_configuration_problems_are_collected()
    {
        using var services = Build(Settings);

        Assert.NotNull(ActivatorUtilities.CreateInstance<DeploymentQueueTrigger>(services));
        Assert.NotNull(ActivatorUtilities.CreateInstance<DeploymentWebhook>(services));
        Assert.NotNull(ActivatorUtilities.CreateInstance<IdleRewarmTimer>(services));
        Assert.NotNull(ActivatorUtilities.CreateInstance<WarmupApi>(services));
        foreach (var activity in new[] { typeof(WaitUntilReadyActivity), typeof(ResolvePlanActivity), typeof(RunStepActivity), typeof(VerifyActivity), typeof(RecordActivity) })
        {
            Assert.NotNull(services.GetRequiredService(activity));
        }

        Assert.IsType<AppSettingsAuthenticator>(services.GetRequiredService<IRequestAuthenticator>());

        Assert.Equal(TimeSpan.FromSeconds(90), services.GetRequiredService<WarmupOptions>().DeploymentDebounce);
        var problems = services.GetRequiredService<StartupValidation>().Problems;
        Assert.Contains("target 'bad': baseUrl 'gopher://x' must be an absolute http(s) URL", problems);
        Assert.Contains(problems, p => p.StartsWith("app setting WARMUP_IDLE_WINDOW_MINUTES 'soon' must be a whole number"));
        Assert.Contains(problems, p => p.Contains("'GOOD_KEY' named by auth.apiKeySetting is not set"));
        Assert.Equal(["good"], services.GetRequiredService<ITargetCatalog>().Targets.Select(t => t.Name));
    }

    [Fact]
    public void Startup_problems_do_not_print_a_key_pasted_as_the_setting_name()
    {
        var catalog = new TargetCatalog([TestTargets.Target("llama") with { Auth = new TargetAuth { ApiKeySetting = "sk-pasted-secret-123" } }]);

        var validation = new StartupValidation(catalog, [], new ConfigurationBuilder().Build());

        var problem = Assert.Single(validation.Problems);
        Assert.StartsWith("target 'llama': the app setting named by auth.apiKeySetting", problem);
        Assert.DoesNotContain("secret", problem);
    }

    [Fact]
    public async Task Activity_shim_resolves_the_class_from_the_function_context_and_passes_the_instance_id()
    {
        using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
            .AddWarmupFunctions(new ConfigurationBuilder().Build())
            .AddSingleton<IWarmupResultSink, CapturingSink>()
            .BuildServiceProvider();
        var bindingContext = new Mock<BindingContext>();
        bindingContext.SetupGet(b => b.BindingData).Returns(new Dictionary<string, object?> { ["instanceId"] = "warmup-good" });
        var context = new Mock<FunctionContext>();
        context.SetupGet(c => c.InstanceServices).Returns(services);
        context.SetupGet(c => c.BindingContext).Returns(bindingContext.Object);
        var report = Reports.Report("good", "light", RunOutcomes.Warm);

        var recorded = await WarmupFunctions.Record(report, context.Object);

        Assert.Equal(report.Target, recorded.Target);
        Assert.Contains(services.GetServices<IWarmupResultSink>().OfType<CapturingSink>().Single().Reports, r => r.Target == "good");
        Assert.Equal("warmup-good", FunctionActivityContext.For(TaskNames.Record, context.Object).InstanceId);
    }

    private sealed class CapturingSink : IWarmupResultSink
    {
        public List<WarmupReport> Reports { get; } = [];

        public Task RecordAsync(WarmupReport report, CancellationToken cancellationToken)
        {
            Reports.Add(report);
            return Task.CompletedTask;
        }
    }
}
