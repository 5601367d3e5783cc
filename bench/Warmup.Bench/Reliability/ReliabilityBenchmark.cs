using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Warmup.Bench.Engine;
using Warmup.Cli.Hosting;
using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;
using Warmup.Simulator;

namespace Warmup.Bench.Reliability;

/// <summary>
/// The endpoint-fault matrix, measured: each simulator fault mode through the real orchestration on the in-process
/// Durable engine (a 1 + 2 + 4 request plan, then verification), with the outcome, the errors by class, the time to the
/// end against the run's deadline, and whether the report was delivered (nothing lost). The simulator has no cold-start
/// effects, so a run that recovers ends warm. The same cases are asserted in tests/Warmup.Integration.Tests/Reliability.
/// </summary>
public sealed class ReliabilityBenchmark : IBenchmark
{
    private static readonly PlanStep[] Plan = [new(64, 8, 1), new(64, 8, 2), new(64, 8, 4)];

    private static readonly SimulatorProfile Flat = SimulatorProfile.AlwaysWarm(timeScale: 0.05);

    private static readonly Case[] Cases =
    [
        new("no fault", "none", 2),
        new("503 burst then recovery", "503-burst:3", 2),
        new("429 with Retry-After: 1", "429:1@first=1", 2),
        new("hang before headers", "hang:forever", 2),
        new("stall mid-stream", "stall:30s@after=1", 2),
        new("connection reset mid-stream", "reset@first=2", 2),
        new("malformed chunk", "malformed@first=1", 2),
        new("error object after HTTP 200", "error-after-200@first=1", 2),
        new("server dies mid-run (3 s) and comes back, same process", "die:3s@every=2", 2),
        new("server restarts during verification (3 s), back cold", "restart:3s@every=8", 2),
        new("llama.cpp restarts mid-run (3 s), no process start time", "restart:3s@every=4", 2) { Family = ServerFamily.LlamaCpp },
        new("server slower and slower (+100 ms per request)", "slower:100ms", 1),
        new("every request 503", "503", 2),
        new("key refused (401)", "none", 2) { WrongKey = true },
        new("busy with users past busyMaxWait (1 s)", "none", 2) { UserTokens = 8000, BusyMaxWait = TimeSpan.FromSeconds(1) },
        new("busy with users, quiet within busyMaxWait", "none", 5) { UserTokens = 1500, BusyMaxWait = TimeSpan.FromSeconds(20) },
    ];

    public string Name => "reliability";

    public async Task<object> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable("Logging__LogLevel__Default") is null)
        {
            Environment.SetEnvironmentVariable("Logging__LogLevel__Default", "Warning");
        }

        var rows = new List<object>();
        foreach (var c in Cases)
        {
            rows.Add(await RunCaseAsync(c, cancellationToken));
        }

        return new
        {
            benchmark = Name,
            description = "Endpoint faults through the whole orchestration (in-process Durable engine, simulator over loopback HTTP). " +
                          "deadlineS: the longest the run could take if every request waited out its timeout (plan + verification requests x request timeout). " +
                          "nothingLost: the orchestration completed and its one report reached the sink.",
            plan = "3 levels: 1, 2, 4 requests of 64 prompt tokens; then verification (one request at a time)",
            machine = new { cores = Environment.ProcessorCount, os = System.Runtime.InteropServices.RuntimeInformation.OSDescription },
            cases = rows,
        };
    }

    private static async Task<object> RunCaseAsync(Case c, CancellationToken cancellationToken)
    {
        await using var simulator = await SimulatorHost.StartAsync(
            new SimulatorOptions { Profile = Flat, Faults = FaultPlan.Parse(c.Fault), ApiKey = c.WrongKey ? "right-key" : null, Family = c.Family }, cancellationToken);
        var target = new WarmupTarget
        {
            Name = "reliability",
            BaseUrl = simulator.BaseUrl,
            Model = Flat.Model,
            Limits = new TargetLimits
            {
                MaxConcurrency = 4,
                ReadyDeadline = TimeSpan.FromSeconds(10),
                RequestTimeout = TimeSpan.FromSeconds(c.RequestTimeoutS),
                BusyMaxWait = c.BusyMaxWait,
                BusyPollInterval = TimeSpan.FromMilliseconds(200),
            },
        };
        var catalog = new BenchTargetCatalog();
        catalog.Add(target);
        var sink = new Sink();
        await using var host = await FreePortTestHost.StartAsync(
            registry => registry.AddWarmupTasks(),
            port => new DurableTaskTestHostOptions
            {
                Port = port,
                LoggerFactory = NullLoggerFactory.Instance,
                ConfigureServices = services =>
                {
                    if (c.WrongKey)
                    {
                        services.AddSingleton<IRequestAuthenticator>(new WrongKey());
                    }

                    services.AddWarmupEngine();
                    services.AddSingleton<ITargetCatalog>(catalog);
                    services.AddSingleton<IWarmupResultSink>(sink);
                    services.AddLogging(b => b.ClearProviders());
                },
            },
            cancellationToken);

        using var user = new CancellationTokenSource();
        var userRequest = c.UserTokens > 0 ? UserRequestAsync(simulator, c.UserTokens, user.Token) : Task.CompletedTask;
        if (c.UserTokens > 0)
        {
            await Task.Delay(300, cancellationToken); // the user's request is running before the warm-up starts
        }

        var clock = Stopwatch.StartNew();
        var request = new WarmupRequest(target.Name, WarmupReasons.Manual, PlanSpec.FromSteps("reliability", Plan), Guid.NewGuid().ToString("N"), 10);
        WarmupReport? report = null;
        string? failure = null;
        try
        {
            report = await new EmbeddedWarmupEngine(host.Client) { PollInterval = TimeSpan.FromMilliseconds(50) }.RunAsync(request, cancellationToken: cancellationToken);
        }
        catch (WarmupRunException e)
        {
            failure = e.Message;
        }

        clock.Stop();
        await user.CancelAsync();
        try
        {
            await userRequest;
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException)
        {
            // The busy case cancels its user on purpose.
        }

        var verifyRequests = (report?.FirstUserLike?.Requests ?? 0) + (report?.Steady?.Requests ?? 0);
        var deadlineS = (Plan.Sum(s => s.Concurrency) + Math.Max(verifyRequests, 20)) * c.RequestTimeoutS;
        var notSent = report?.Totals.ErrorsByOutcome.GetValueOrDefault("NotSent") ?? 0;
        var row = new
        {
            @case = c.Name,
            fault = c.Fault,
            requestTimeoutS = c.RequestTimeoutS,
            outcome = report?.Outcome ?? "orchestration failed: " + failure,
            error = report?.Error,
            errorsByOutcome = report?.Totals.ErrorsByOutcome,
            requestsSent = (report?.Totals.Requests ?? 0) - notSent,
            requestsNotSent = notSent,
            retryAfterWaits = report?.Totals.RetryAfterWaits ?? 0,
            retryAfterWaitMs = Math.Round(report?.Totals.RetryAfterWaitMs ?? 0),
            outages = report?.Outages.Select(o => new { o.Back, durationS = Math.Round(o.DurationMs / 1000, 2), o.ReadinessAttempts, o.Failures, o.StepsResent, o.DuringVerification, o.Restarted, o.RestartEvidence }),
            stepsSentAgain = Math.Max(0, (report?.Steps.Count ?? 0) - Plan.Length),
            timeToEndS = Math.Round(clock.Elapsed.TotalSeconds, 2),
            deadlineS,
            nothingLost = report is not null && sink.Reports.Count == 1 && sink.Reports.Single().RunId == report.RunId,
        };
        Console.WriteLine($"   {c.Name,-48} {row.outcome,-10} {row.timeToEndS,6:F2} s (deadline {deadlineS} s) sent {row.requestsSent}, not sent {notSent}");
        return row;
    }

    private static async Task UserRequestAsync(SimulatorHost simulator, int tokens, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = simulator.BaseUrl, Timeout = TimeSpan.FromMinutes(2) };
        var body = new JsonObject
        {
            ["model"] = simulator.Profile.Model, ["prompt"] = "a user", ["max_tokens"] = tokens, ["min_tokens"] = tokens,
            ["ignore_eos"] = true, ["stream"] = true,
        };
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("/v1/completions", UriKind.Relative), content, cancellationToken);
        await response.Content.ReadAsStringAsync(cancellationToken);
    }

    private sealed record Case(string Name, string Fault, double RequestTimeoutS)
    {
        public string Family { get; init; } = ServerFamily.Vllm;

        public bool WrongKey { get; init; }

        public int UserTokens { get; init; }

        public TimeSpan BusyMaxWait { get; init; } = TimeSpan.FromMinutes(5);
    }

    private sealed class Sink : IWarmupResultSink
    {
        public ConcurrentQueue<WarmupReport> Reports { get; } = new();

        public Task RecordAsync(WarmupReport report, CancellationToken cancellationToken)
        {
            Reports.Enqueue(report);
            return Task.CompletedTask;
        }
    }

    private sealed class WrongKey : IRequestAuthenticator
    {
        public ValueTask AuthenticateAsync(WarmupTarget target, HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "wrong-key");
            return ValueTask.CompletedTask;
        }
    }
}
