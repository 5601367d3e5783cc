using System.Diagnostics;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json.Nodes;
using Warmup.Simulator;

namespace Warmup.Bench;

/// <summary>
/// Can one simulator process hold N concurrent streams with correct timing? For 1, 64 and 256
/// concurrent streams against the default profile at TimeScale 1 (after a warm-up pass that compiles
/// the bucket and captures the graphs), compares the engine's modelled times with the true send
/// times in the simulator log and with what a raw HttpClient + SseParser client receives.
/// </summary>
public sealed class SimulatorCapacityBenchmark : IBenchmark
{
    public string Name => "simulator-capacity";

    public async Task<object> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        int[] levels = options.Quick ? [1, 16] : [1, 64, 256];
        const int promptTokens = 100;
        var maxTokens = options.Quick ? 8 : 32;
        var profile = SimulatorProfile.Default with { StartupDelayMs = 0 };
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = profile }, cancellationToken);
        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = host.BaseUrl,
            Timeout = TimeSpan.FromMinutes(5),
        };

        // Warm-up: every level once (compiles the bucket, captures graph sizes, grows the KV cache, opens connections).
        foreach (var level in levels)
        {
            await RoundAsync(host, client, level, promptTokens, maxTokens, $"warm{level}", cancellationToken);
        }

        var results = new List<LevelResult>();
        foreach (var level in levels)
        {
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            var streams = await RoundAsync(host, client, level, promptTokens, maxTokens, $"run{level}", cancellationToken);
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds / wall.Elapsed.TotalSeconds;
            var result = Summarise(level, streams, cpu, wall.Elapsed.TotalSeconds);
            results.Add(result);
            Console.WriteLine($"   c={level,3}: modelled TTFT p50 {result.ModelledTtftMs.P50:F1} ms, server-sent p50 {result.ServerSentTtftMs.P50:F1} ms, " +
                $"client p50 {result.ClientTtftMs.P50:F1} ms p99 {result.ClientTtftMs.P99:F1} ms; send drift p50 {result.SendDriftMs.P50:F2} ms " +
                $"p99 {result.SendDriftMs.P99:F2} ms; delivery p99 {result.DeliveryMs.P99:F2} ms; errors {result.Errors}; cpu {cpu:F2} cores");
        }

        return new
        {
            benchmark = Name,
            machine = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}",
            profile = profile.Name,
            timeScale = profile.TimeScale,
            promptTokens,
            maxTokens,
            note = "modelled = engine step deadline; serverSent = after write+flush (simulator log); client = HttpClient+SseParser receipt stamped " +
                   "with the simulator's clock. sendDrift = sent - modelled per chunk; delivery = client receipt - server send per chunk.",
            levels = results,
        };
    }

    private static async Task<StreamTiming[]> RoundAsync(SimulatorHost host, HttpClient client, int concurrency, int promptTokens, int maxTokens, string tag, CancellationToken ct)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, concurrency).Select(i => Task.Run(async () =>
        {
            await start.Task;
            return await StreamOneAsync(host, client, Prompt(promptTokens, $"{tag}x{i}"), maxTokens, ct);
        }, ct)).ToArray();
        start.SetResult();
        var timings = await Task.WhenAll(tasks);
        foreach (var t in timings.Where(t => t.RequestId is not null))
        {
            t.Record = await host.Log.WaitForAsync(t.RequestId!, TimeSpan.FromSeconds(30));
        }

        return timings;
    }

    private static async Task<StreamTiming> StreamOneAsync(SimulatorHost host, HttpClient client, string prompt, int maxTokens, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["model"] = host.Profile.Model,
            ["prompt"] = prompt,
            ["max_tokens"] = maxTokens,
            ["min_tokens"] = maxTokens,
            ["ignore_eos"] = true,
            ["stream"] = true,
        };
        var timing = new StreamTiming();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
            timing.SendUnixNs = host.Clock.NowUnixNs;
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            timing.RequestId = response.Headers.TryGetValues("x-request-id", out var ids) ? ids.First() : null;
            response.EnsureSuccessStatusCode();
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            await foreach (var item in SseParser.Create(stream).EnumerateAsync(ct))
            {
                if (item.Data != "[DONE]")
                {
                    timing.ReceivedUnixNs.Add(host.Clock.NowUnixNs);
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            timing.Error = ex.Message;
        }

        return timing;
    }

    private static LevelResult Summarise(int level, StreamTiming[] streams, double cpuCores, double wallSeconds)
    {
        var ok = streams.Where(s => s.Error is null && s.Record is { Chunks.Count: > 0 }).ToList();
        var modelled = ok.Select(s => s.Record!.ModelledTtftMs!.Value).ToList();
        var serverSent = ok.Select(s => s.Record!.ActualTtftMs!.Value).ToList();
        var client = ok.Select(s => (s.ReceivedUnixNs[0] - s.SendUnixNs) / 1e6).ToList();
        var drift = ok.SelectMany(s => s.Record!.Chunks.Select(c => (c.SentUnixNs - c.DueUnixNs) / 1e6)).ToList();
        var delivery = ok.SelectMany(s => s.Record!.Chunks.Zip(s.ReceivedUnixNs, (c, r) => (r - c.SentUnixNs) / 1e6)).ToList();
        var modelledItl = ok.SelectMany(s => Gaps(s.Record!.Chunks.Select(c => c.DueUnixNs).ToList())).ToList();
        var clientItl = ok.SelectMany(s => Gaps(s.ReceivedUnixNs)).ToList();
        return new LevelResult(
            level,
            ok.Count,
            streams.Length - ok.Count,
            Math.Round(wallSeconds, 2),
            Math.Round(cpuCores, 2),
            Stats.Of(modelled),
            Stats.Of(serverSent),
            Stats.Of(client),
            Stats.Of(client.Zip(modelled, (c, m) => c - m).ToList()),
            Stats.Of(drift),
            Stats.Of(delivery),
            Stats.Of(modelledItl),
            Stats.Of(clientItl));
    }

    private static IEnumerable<double> Gaps(IReadOnlyList<long> times) => times.Zip(times.Skip(1), (a, b) => (b - a) / 1e6);

    private static string Prompt(int tokens, string tag) =>
        string.Join(' ', new[] { tag }.Concat(Enumerable.Range(1, tokens - 1).Select(i => "w" + (i % 97))));

    private sealed class StreamTiming
    {
        public string? RequestId { get; set; }
        public long SendUnixNs { get; set; }
        public List<long> ReceivedUnixNs { get; } = [];
        public string? Error { get; set; }
        public RequestRecord? Record { get; set; }
    }

    public sealed record LevelResult(
        int Concurrency,
        int Completed,
        int Errors,
        double WallSeconds,
        double ProcessCpuCores,
        Stats ModelledTtftMs,
        Stats ServerSentTtftMs,
        Stats ClientTtftMs,
        Stats ClientMinusModelledTtftMs,
        Stats SendDriftMs,
        Stats DeliveryMs,
        Stats ModelledItlMs,
        Stats ClientItlMs);

    public sealed record Stats(int Count, double P50, double P90, double P99, double Max)
    {
        public static Stats Of(IReadOnlyList<double> values)
        {
            if (values.Count == 0)
            {
                return new Stats(0, double.NaN, double.NaN, double.NaN, double.NaN);
            }

            var sorted = values.Order().ToArray();
            return new Stats(sorted.Length, Percentile(sorted, 50), Percentile(sorted, 90), Percentile(sorted, 99), Math.Round(sorted[^1], 3));
        }

        // Linear interpolation between closest ranks (numpy's default), as the protocol reference recommends.
        private static double Percentile(double[] sorted, double p)
        {
            var rank = p / 100 * (sorted.Length - 1);
            var lo = (int)Math.Floor(rank);
            var hi = Math.Min(lo + 1, sorted.Length - 1);
            return Math.Round(sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo), 3);
        }
    }
}
