using Warmup.Core.Dialects;
using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;
using Warmup.Integration.Tests.Orchestration;
using Warmup.Simulator;

namespace Warmup.Integration.Tests.Dialects;

/// <summary>
/// Azure ML's front end as the simulator enforces it per deployment (request_timeout_ms, max_concurrent_requests_per_instance
/// and its queue), against whole warm-up runs on loopback: the plan stays within what the deployment admits, and the
/// 408/429 a deployment does answer are named in the report as what they are. The report and the run carry the
/// deployment as its own field.
/// </summary>
public sealed class AzureMlFrontEndTests
{
    private const string Endpoint = "aml";
    private const string Deployment = "green";

    // Slow decoding keeps a burst's requests in flight together, whatever the machine's scheduling.
    private static SimulatorProfile Profile => SimulatorProfile.Default with
    {
        TimeScale = 0.5,
        StartupDelayMs = 0,
        JitterFraction = 0,
        MaxModelLen = 4096,
        MaxNumBatchedTokens = 4096,
        PrefillBuckets = [128, 256, 512, 1024, 2048, 4096],
        DecodeStepMs = 100,
        IdleAfterMs = 600_000,
    };

    [Fact]
    public async Task Without_settings_the_plan_keeps_to_Azure_MLs_default_of_one_request_per_instance()
    {
        await using var sim = await StartAsync(Profile, settings: null);

        var report = await RunAsync(sim, new AzureMlSettings(), new PlanStep(64, 8, 4));

        Assert.Equal(1, Assert.Single(report.Steps).Step.Concurrency);
        Assert.Contains(report.Notes, n => n.Contains("Azure ML's default max_concurrent_requests_per_instance", StringComparison.Ordinal));
        Assert.Equal(0, report.Totals.Failed);
        Assert.Equal(Deployment, report.Deployment);
        Assert.Equal($"{Endpoint}@{Deployment}", report.Target);
    }

    [Fact]
    public async Task Configured_settings_cap_the_plan_and_no_request_is_refused()
    {
        var settings = new AzureMlRequestSettings { MaxConcurrentRequestsPerInstance = 2 };
        await using var sim = await StartAsync(Profile, settings);

        var report = await RunAsync(sim, new AzureMlSettings { MaxConcurrentRequestsPerInstance = 2 }, new PlanStep(64, 8, 4));

        Assert.Equal(2, Assert.Single(report.Steps).Step.Concurrency);
        Assert.Contains(report.Notes, n => n.Contains("concurrency is capped at 2", StringComparison.Ordinal));
        Assert.Equal(0, report.Totals.Failed);
        Assert.Empty(report.ErrorMeanings);
    }

    [Fact]
    public async Task A_burst_past_the_admitted_queue_gets_429_and_the_report_says_what_it_is()
    {
        // The target claims 4 per instance; the deployment runs Azure ML's default 1 and admits 2 (1 running, 1 queued).
        await using var sim = await StartAsync(Profile, settings: null);

        var report = await RunAsync(sim, new AzureMlSettings { MaxConcurrentRequestsPerInstance = 4 }, new PlanStep(64, 8, 4));

        var step = Assert.Single(report.Steps);
        Assert.Equal(4, step.Step.Concurrency);
        Assert.Equal(2, step.ErrorsByOutcome["HttpError:429"]);
        // The front end held exactly what it admits. (Between two sequential requests the peak is no evidence of a
        // cap: a client may send its next request before the server's handler of the last one has returned.)
        Assert.Equal(2, sim.FrontEndPeak(Deployment));
        Assert.Contains("max_concurrent_requests_per_instance", report.ErrorMeanings["HttpError:429"]);
        Assert.StartsWith("Azure ML:", report.ErrorMeanings["HttpError:429"]);
    }

    [Fact]
    public async Task A_cold_first_request_past_request_timeout_ms_gets_408_explained_while_the_compile_it_paid_stays_done()
    {
        // A 100 s first-request initialisation against a 40 s request_timeout_ms (5 s and 2 s on the simulator's time
        // scale): the plan's first request is cut. The backend goes on initialising (a request arriving meanwhile
        // waits for it, and may be cut too), but it initialises once: no later request pays for it again.
        var profile = Profile with { TimeScale = 0.05, DecodeStepMs = 20, FirstRequestInitMs = 100_000 };
        var settings = new AzureMlRequestSettings { RequestTimeoutMs = 40_000 };
        await using var sim = await StartAsync(profile, settings);

        var report = await RunAsync(sim, new AzureMlSettings { RequestTimeoutMs = 40_000 }, new PlanStep(64, 8, 1));

        Assert.Equal(1, Assert.Single(report.Steps).ErrorsByOutcome["HttpError:408"]);
        Assert.Contains("request_timeout_ms (40000 ms)", report.ErrorMeanings["HttpError:408"]);
        var first = sim.Log.Snapshot().OrderBy(r => r.Sequence).First();
        Assert.Equal(408, first.Status);
        Assert.Contains(first.Penalties, p => p.Name == "init");
        Assert.DoesNotContain(sim.Log.Snapshot().Skip(1), r => r.Penalties.Any(p => p.Name == "init"));
    }

    private static Task<SimulatorHost> StartAsync(SimulatorProfile profile, AzureMlRequestSettings? settings) =>
        SimulatorHost.StartAsync(new SimulatorOptions
        {
            Family = ServerFamily.AzureMl,
            Profile = profile,
            AzureMlRequestSettings = settings is null
                ? new Dictionary<string, AzureMlRequestSettings>()
                : new Dictionary<string, AzureMlRequestSettings> { [Deployment] = settings },
        });

    private static async Task<WarmupReport> RunAsync(SimulatorHost sim, AzureMlSettings azureMl, PlanStep step)
    {
        var target = new WarmupTarget
        {
            Name = Endpoint,
            BaseUrl = sim.BaseUrl,
            Dialect = DialectNames.AzureMl,
            Model = sim.Profile.Model,
            Api = OpenAiApis.Chat,
            AzureMl = azureMl,
            Limits = new TargetLimits { MaxConcurrency = 4, ReadyDeadline = TimeSpan.FromSeconds(20), RequestTimeout = TimeSpan.FromSeconds(30) },
        };
        await using var host = await WarmupHost.StartAsync(new TargetCatalog([target]), [new CollectingSink()]);
        var (report, _) = await WarmupHost.RunAsync(
            host, new WarmupRequest(TargetDeployment.Compose(Endpoint, Deployment), WarmupReasons.Manual, PlanSpec.FromSteps("one-step", [step]), "corr-aml"));
        return report;
    }
}
