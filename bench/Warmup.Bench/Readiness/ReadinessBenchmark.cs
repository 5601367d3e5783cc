using System.Diagnostics;
using Warmup.Core.Dialects;
using Warmup.Core.Probing;
using Warmup.Core.Readiness;
using Warmup.Core.Targets;

namespace Warmup.Bench.Readiness;

/// <summary>
/// How long after a server starts answering the readiness gate opens: the real <see cref="ReadinessGate"/> against a
/// loopback server that refuses connections (vLLM before listen) or answers 503 (llama.cpp loading) for a while.
/// Gate-open time minus the moment the server could first have answered 200, same Stopwatch clock.
/// Current polling (50 ms while refused, up to 1 s on answers) against the previous one (250 ms doubling to 5 s).
/// </summary>
public sealed class ReadinessBenchmark : IBenchmark
{
    private static readonly ReadinessGateOptions Previous = new()
    {
        InitialDelay = TimeSpan.FromMilliseconds(250),
        MaxDelay = TimeSpan.FromSeconds(5),
        RefusedPollInterval = null,
    };

    public string Name => "readiness";

    public async Task<object> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        double[] delays = options.Quick ? [0.7, 2.3] : [0.5, 1.1, 1.7, 2.3, 2.9, 3.5, 4.1, 4.7];
        var rows = new List<object>();
        foreach (var (scenario, loading) in new[] { ("refused-then-listening", false), ("503-then-200", true) })
        {
            foreach (var (policy, gateOptions) in new[] { ("current", ReadinessGateOptions.Default), ("previous", Previous) })
            {
                var lags = new List<double>();
                foreach (var delay in delays)
                {
                    lags.Add(await MeasureAsync(gateOptions, TimeSpan.FromSeconds(delay), loading, cancellationToken));
                }

                lags.Sort();
                var row = new
                {
                    scenario,
                    policy,
                    trials = lags.Count,
                    lagMsP50 = Math.Round(lags[lags.Count / 2], 1),
                    lagMsMax = Math.Round(lags[^1], 1),
                    lagsMs = lags.Select(l => Math.Round(l, 1)).ToList(),
                };
                Console.WriteLine($"   {scenario,-24} {policy,-9} gate opened after the server answered: p50 {row.lagMsP50,7:F1} ms, max {row.lagMsMax,7:F1} ms");
                rows.Add(row);
            }
        }

        return new
        {
            benchmark = Name,
            description = "Lag between the server starting to answer 200 and the readiness gate opening (real ReadinessGate, raw-socket loopback server, same Stopwatch clock). Server ready after each of the listed delays once per policy.",
            quick = options.Quick,
            delaysSeconds = delays,
            targetMs = 100,
            rows,
        };
    }

    private static async Task<double> MeasureAsync(ReadinessGateOptions gateOptions, TimeSpan delay, bool loading, CancellationToken cancellationToken)
    {
        using var server = new ScriptedReadinessServer();
        using var http = WarmupHttp.CreateClient();
        var gate = new ReadinessGate(http, NoAuthentication.Instance, TimeProvider.System, gateOptions);
        var target = new WarmupTarget { Name = "bench", BaseUrl = server.BaseUrl, Model = "m" };
        var dialect = DialectRegistry.Default.Get(target.Dialect);
        var started = Stopwatch.GetTimestamp();
        var waiting = gate.WaitAsync(target, dialect, TimeSpan.FromSeconds(30), cancellationToken);
        if (loading)
        {
            server.LoadingFor(delay);
        }
        else
        {
            server.ListenAfter(delay);
        }

        var result = await waiting;
        if (!result.Ready)
        {
            throw new InvalidOperationException($"the gate did not open: {result.LastError}");
        }

        var openedAt = started + (long)(result.TimeToReadyMs / 1000 * Stopwatch.Frequency);
        return (openedAt - server.ReadyAt) * 1000.0 / Stopwatch.Frequency;
    }
}
