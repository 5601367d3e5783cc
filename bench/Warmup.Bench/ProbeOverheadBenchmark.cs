using System.Diagnostics;
using System.Globalization;
using Warmup.Bench.Engine;
using Warmup.Core.Dialects.OpenAi;
using Warmup.Core.Probing;
using Warmup.Core.Targets;

namespace Warmup.Bench;

/// <summary>
/// How much time the probe adds to TTFT: from the moment the (in-process, loopback) server has sent the first token
/// to the moment the probe stamps it as the first token. Covers the HTTP stack, SSE parsing and chunk classification.
/// Closed loop: each of N workers sends its requests back to back.
/// </summary>
public sealed class ProbeOverheadBenchmark : IBenchmark
{
    private static readonly int[] Levels = [1, 16, 64, 256];

    public string Name => "probe-overhead";

    public async Task<object> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        // Async I/O needs few threads, but a burst of 256 completions on a pool that starts at 2 threads grows it one
        // thread per ~500 ms; pre-sizing keeps thread injection out of the measurement.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, Environment.ProcessorCount * 4), io);

        var perWorker = options.Quick ? 10 : 40;
        var minimumSamples = options.Quick ? 200 : 2000;
        var scenarios = new List<object>();
        List<LevelResult>? paced = null;
        // WARMUP_BENCH_ONLY=against-server runs only the comparison with the simulator's stamps.
        foreach (var (scenario, prefill, jitter, description) in Scenarios.Where(_ => BenchSettings.Only != "against-server"))
        {
            Console.WriteLine($"   {scenario}: {description}");
            var rows = await RunScenarioAsync(prefill, jitter, perWorker, minimumSamples, cancellationToken);
            Print(rows);
            paced ??= rows;
            scenarios.Add(new { name = scenario, description, prefillMs = prefill.TotalMilliseconds, jitterMs = jitter.TotalMilliseconds, levels = rows });
        }

        var at64 = paced?.Single(r => r.Concurrency == 64);
        Console.WriteLine("   against the simulator's own first-token stamps, concurrency 1:");
        var againstServer = await ProbeErrorAgainstServer.RunAsync(options.Quick, cancellationToken);
        return new
        {
            benchmark = Name,
            description = "Client-side probe overhead on TTFT: first-token stamp in the probe minus the in-process loopback server's stamp right after sending that token (same Stopwatch clock). Closed loop, N concurrent workers each sending requests back to back.",
            quick = options.Quick,
            machine = new
            {
                cores = Environment.ProcessorCount,
                os = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
                runtime = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
                server = "same process, raw sockets, shares the cores with the client",
                threadPoolMinWorkers = Math.Max(workers, Environment.ProcessorCount * 4),
            },
            targetP99UsAtConcurrency64 = 1000,
            targetScenario = Scenarios[0].Name,
            metTarget = at64?.P99Us <= 1000,
            scenarios,
            againstServer,
        };
    }

    /// <summary>
    /// "paced": the server spends a prefill before each first token, spread over 20 ms, so the client is not saturated
    /// (what a warm-up looks like). "burst": the same prefill without spread: all N first tokens land in one timer tick,
    /// so the last one waits for the probe to handle the N-1 before it (N x per-event cost / cores). "saturated": no
    /// prefill, client and server keep both cores busy; a stress bound of CPU queueing, not the probe's per-event cost.
    /// </summary>
    private static readonly (string Name, TimeSpan Prefill, TimeSpan Jitter, string Description)[] Scenarios =
    [
        ("paced", TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(20), "first token after 50-70 ms (prefill, spread per request)"),
        ("burst", TimeSpan.FromMilliseconds(50), TimeSpan.Zero, "first token after exactly 50 ms: all concurrent first tokens arrive together"),
        ("saturated", TimeSpan.Zero, TimeSpan.Zero, "first token at once; client and server saturate the cores"),
    ];

    private static async Task<List<LevelResult>> RunScenarioAsync(TimeSpan prefill, TimeSpan jitter, int perWorker, int minimumSamples, CancellationToken cancellationToken)
    {
        await using var server = new ProbeOverheadServer(prefill, jitter);
        using var http = WarmupHttp.CreateClient();
        var probe = new StreamingProbe(http, NoAuthentication.Instance);
        var dialect = new OpenAiDialect();
        var target = new WarmupTarget
        {
            Name = "bench",
            BaseUrl = server.BaseUrl,
            Model = "bench",
            Limits = new TargetLimits { RequestTimeout = TimeSpan.FromSeconds(30) },
        };
        var request = new GenerationRequest("The capital of France is", 4, PromptTokens: 6);

        var rows = new List<LevelResult>();
        foreach (var concurrency in Levels)
        {
            // Warm: open the connections and JIT the path; not recorded.
            await RunLevelAsync(probe, server, target, dialect, request, concurrency, 2, $"warm{concurrency}", cancellationToken);
            var rounds = Math.Max(perWorker, (minimumSamples + concurrency - 1) / concurrency);
            var watch = Stopwatch.StartNew();
            var (samples, failures) = await RunLevelAsync(probe, server, target, dialect, request, concurrency, rounds, $"c{concurrency}", cancellationToken);
            watch.Stop();
            rows.Add(LevelResult.From(concurrency, samples, failures, watch.Elapsed));
        }

        return rows;
    }

    private static async Task<(List<double> Samples, int Failures)> RunLevelAsync(
        StreamingProbe probe, ProbeOverheadServer server, WarmupTarget target, OpenAiDialect dialect, GenerationRequest request,
        int concurrency, int rounds, string prefix, CancellationToken cancellationToken)
    {
        var samples = new List<double>(concurrency * rounds);
        var failures = 0;
        var tasks = Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var mine = new List<double>(rounds);
            var failed = 0;
            for (var i = 0; i < rounds; i++)
            {
                var id = string.Create(CultureInfo.InvariantCulture, $"{prefix}-{worker}-{i}");
                var result = await probe.SendAsync(target, dialect, request, id, cancellationToken).ConfigureAwait(false);
                if (result.IsSuccess && result.FirstTokenTimestamp is { } received && server.TryTakeFirstTokenSent(id, out var sent))
                {
                    mine.Add(Stopwatch.GetElapsedTime(sent, received).TotalMicroseconds);
                }
                else
                {
                    failed++;
                }
            }

            lock (samples)
            {
                samples.AddRange(mine);
                failures += failed;
            }
        }, cancellationToken));
        await Task.WhenAll(tasks).ConfigureAwait(false);
        return (samples, failures);
    }

    private static void Print(List<LevelResult> rows)
    {
        Console.WriteLine($"   {"conc",5} {"requests",9} {"fail",5} {"p50 µs",9} {"p99 µs",9} {"max µs",9} {"req/s",8}");
        foreach (var r in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"   {r.Concurrency,5} {r.Requests,9} {r.Failures,5} {r.P50Us,9:0.0} {r.P99Us,9:0.0} {r.MaxUs,9:0.0} {r.RequestsPerSecond,8:0}"));
        }
    }

    public sealed record LevelResult(
        int Concurrency, int Requests, int Failures, double P50Us, double P90Us, double P99Us, double MaxUs, double MeanUs,
        int NegativeSamples, double RequestsPerSecond)
    {
        public static LevelResult From(int concurrency, List<double> samples, int failures, TimeSpan elapsed)
        {
            samples.Sort();
            return new LevelResult(
                concurrency,
                samples.Count,
                failures,
                Round(Percentile(samples, 0.50)),
                Round(Percentile(samples, 0.90)),
                Round(Percentile(samples, 0.99)),
                Round(samples.Count == 0 ? double.NaN : samples[^1]),
                Round(samples.Count == 0 ? double.NaN : samples.Average()),
                samples.Count(s => s < 0),
                Math.Round((samples.Count + failures) / elapsed.TotalSeconds, 1));
        }

        private static double Round(double value) => Math.Round(value, 1);

        /// <summary>Linear interpolation between closest ranks (numpy's default), like vLLM's and SGLang's benches.</summary>
        private static double Percentile(List<double> sorted, double p)
        {
            if (sorted.Count == 0)
            {
                return double.NaN;
            }

            var rank = p * (sorted.Count - 1);
            var low = (int)Math.Floor(rank);
            var high = Math.Min(low + 1, sorted.Count - 1);
            return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
        }
    }
}
