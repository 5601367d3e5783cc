using System.Diagnostics;
using Warmup.Core.Analysis;
using Warmup.Core.Orchestration;
using Warmup.Core.Readiness;
using Warmup.Core.Reporting;
using Warmup.Simulator;

namespace Warmup.Bench.Engine;

/// <summary>
/// One case: a fresh simulator, then either a whole warm-up with the case's plan (readiness, plan, verify, record) or,
/// for "none", readiness and verification only. Verification is always the orchestration's own Verify activity, so
/// every case is measured the same way. The simulator's log then says what each request cost the server and which
/// cold penalties the first-user-like probes paid.
/// </summary>
internal sealed class CaseRunner(BenchEngine engine)
{
    public const string NoWarmup = "none";

    /// <summary>Start-up is excluded from every number; 4 s (scaled) instead of the profiles' 20 s keeps the runs short.</summary>
    public const double StartupDelayMs = 4000;

    private int _runs;

    public async Task<CaseRun> RunAsync(BenchProfile profile, string plan, double timeScale, int seed, double threshold, CancellationToken cancellationToken)
    {
        var simulatorProfile = profile.Simulator with { TimeScale = timeScale, Seed = seed, StartupDelayMs = StartupDelayMs };
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = simulatorProfile }, cancellationToken);
        var name = $"{profile.Name}-{plan}-{Interlocked.Increment(ref _runs)}";
        engine.AddTarget(profile.Target(name, simulator.BaseUrl));

        var watch = Stopwatch.StartNew();
        ReadinessResult readiness;
        VerificationResult? verification;
        IReadOnlyList<StepResult> steps = [];
        IReadOnlyList<string> notes = [];
        string? error = null;
        if (plan == NoWarmup)
        {
            var result = await engine.RunVerifyOnlyAsync(name, threshold, cancellationToken);
            (readiness, verification) = (result.Readiness, result.Verification);
        }
        else
        {
            var report = await engine.RunWarmupAsync(name, BenchProfile.Spec(plan), threshold, cancellationToken);
            readiness = report.Readiness;
            verification = report.Verdict is { } verdict && report.FirstUserLike is { } first && report.Steady is { } steady
                ? new VerificationResult(first, steady, verdict)
                : null;
            steps = report.Steps;
            notes = report.Notes;
            error = report.Error;
        }

        var elapsedMs = watch.Elapsed.TotalMilliseconds;
        if (!readiness.Ready || verification is null)
        {
            throw new InvalidOperationException($"{name}: the run did not reach verification ({error ?? readiness.LastError ?? "no verdict"})");
        }

        return CaseRun.From(profile.Name, plan, timeScale, seed, readiness, steps, verification, notes, simulator.Log.Snapshot(), elapsedMs);
    }
}
