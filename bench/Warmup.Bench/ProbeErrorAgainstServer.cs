using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Warmup.Core.Dialects;
using Warmup.Core.Dialects.OpenAi;
using Warmup.Core.Probing;
using Warmup.Core.Targets;
using Warmup.Simulator;

namespace Warmup.Bench;

/// <summary>
/// The probe's TTFT against the simulator's own stamps (request arrival to first chunk flushed, its request log) at
/// concurrency 1, sequential requests: the first request of a fresh process (one child process per sample, with and
/// without the probe's self-warm), then the later requests of one process. Goal: within 2 % or 0.5 ms of the
/// server's TTFT for every request, the first of a process included.
/// </summary>
internal static class ProbeErrorAgainstServer
{
    private const double GoalFraction = 0.02;
    private const double GoalMs = 0.5;
    private const int ServerWarmUpRequests = 40;

    /// <summary>Requests after the first in each self-warmed child: later requests measured across the same process boundary.</summary>
    private const int LaterPerChild = 9;

    public static async Task<object> RunAsync(bool quick, CancellationToken cancellationToken)
    {
        var loadBefore = LoadAverage();
        var profile = SimulatorProfile.Default with { TimeScale = 0.05, StartupDelayMs = 0 };
        await using var server = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = profile }, cancellationToken);
        var processes = quick ? 4 : 12;
        var later = quick ? 30 : 150;

        using var http = WarmupHttp.CreateClient();
        var probe = new StreamingProbe(http, NoAuthentication.Instance);
        var target = new WarmupTarget { Name = "stamps", BaseUrl = server.BaseUrl, Model = profile.Model };
        var dialect = new OpenAiDialect();
        // The simulator's arrival stamp is taken in its handler, after Kestrel read the request: a cold Kestrel's own
        // start-up (its first requests' JIT) would count as the probe's error, so the server is warmed first.
        for (var i = 0; i < ServerWarmUpRequests; i++)
        {
            await probe.SendAsync(target, dialect, new GenerationRequest(Prompt($"server warm-up {i}", Words(i)), 8, PromptTokens: Words(i) * 3), "stamps", cancellationToken);
        }

        var firstWarmed = new List<Sample>();
        var laterOfChildren = new List<Sample>();
        var firstUnwarmed = new List<Sample>();
        for (var i = 0; i < processes; i++)
        {
            // Alternate, so both see the same machine load over the run.
            var warmed = await ChildAsync(server, selfWarm: true, Words(i), 1 + LaterPerChild, cancellationToken);
            firstWarmed.Add(warmed[0]);
            laterOfChildren.AddRange(warmed.Skip(1));
            firstUnwarmed.Add((await ChildAsync(server, selfWarm: false, Words(i), 1, cancellationToken))[0]);
        }

        // A native dialect's first request: its own request writer and parser are warmed per dialect (DialectSelfWarm).
        var (tgiFirst, tgiLater) = await NativeDialectAsync(profile, DialectNames.Tgi, ServerFamily.Tgi, processes, cancellationToken);

        var laterSamples = new List<Sample>();
        for (var i = 0; i < later; i++)
        {
            var seen = server.Log.Count;
            var result = await probe.SendAsync(target, dialect, new GenerationRequest(Prompt($"later {i}", Words(i)), 8, PromptTokens: Words(i) * 3), "stamps", cancellationToken);
            var record = (await RecordsAsync(server, seen, 1))[0];
            laterSamples.Add(Sample.Of(server, record, result.TtftMs, result.FirstTokenTimestamp) with { ClientStallMs = result.ClientStallMs });
        }

        var rows = new[]
        {
            Summary("first request of a process, self-warmed", firstWarmed),
            Summary("first request of a process, no self-warm (before)", firstUnwarmed),
            Summary("later requests of one process", laterSamples),
            Summary($"requests 2-{1 + LaterPerChild} of the self-warmed processes", laterOfChildren),
            Summary("first request of a process, TGI dialect, self-warmed", tgiFirst),
            Summary($"requests 2-{1 + LaterPerChild} of those processes (TGI dialect)", tgiLater),
        };
        foreach (var row in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"   {row.Case,-52} n={row.Requests,3} error p50 {row.P50Ms,6:F3} ms (send {row.SendP50Ms:F3}, receive {row.ReceiveP50Ms:F3}) max {row.MaxMs,6:F3} ms, within goal {row.WithinGoal}/{row.Requests}; " +
                $"client +5 ms {row.ClientLateOver5Ms}, simulator late +5 ms {row.ServerLateOver5Ms}"));
            foreach (var late in row.ClientLate)
            {
                Console.WriteLine($"      {late}");
            }
        }

        return new
        {
            description = "Probe TTFT minus the simulator's own TTFT (arrival to first chunk flushed, from its request log) at concurrency 1, sequential requests, " +
                          "default profile at TimeScale 0.05, simulator in the benchmark's process (warmed first by 40 unrecorded requests); first-of-process samples each in a fresh child process. " +
                          "sendP50Ms/receiveP50Ms split the error: probe start to the simulator's arrival stamp, and its first chunk flushed to the probe's first-token stamp (one monotonic clock).",
            goal = "every request within max(2 % of the server's TTFT, 0.5 ms)",
            // What else ran on the machine: these errors are mostly scheduling once the probe's own start-up is gone.
            loadAverageBefore = loadBefore,
            loadAverageAfter = LoadAverage(),
            metGoal = rows.Where(r => r != rows[1]).All(r => r.WithinGoal == r.Requests),
            cases = rows,
        };
    }

    /// <summary>
    /// The first and later requests of self-warmed child processes against a simulator speaking <paramref name="family"/>'s
    /// native API in <paramref name="dialect"/>, warmed first like the OpenAI one.
    /// </summary>
    private static async Task<(List<Sample> First, List<Sample> Later)> NativeDialectAsync(
        SimulatorProfile profile, string dialect, string family, int processes, CancellationToken cancellationToken)
    {
        await using var server = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = profile, Family = family }, cancellationToken);
        using var http = WarmupHttp.CreateClient();
        var probe = new StreamingProbe(http, NoAuthentication.Instance);
        var target = new WarmupTarget { Name = "stamps-" + dialect, BaseUrl = server.BaseUrl, Model = profile.Model };
        var speaks = DialectRegistry.Default.Get(dialect);
        for (var i = 0; i < ServerWarmUpRequests; i++)
        {
            await probe.SendAsync(target, speaks, new GenerationRequest(Prompt($"server warm-up {i}", Words(i)), 8, PromptTokens: Words(i) * 3), "stamps", cancellationToken);
        }

        var first = new List<Sample>();
        var later = new List<Sample>();
        for (var i = 0; i < processes; i++)
        {
            var samples = await ChildAsync(server, selfWarm: true, Words(i), 1 + LaterPerChild, cancellationToken, dialect);
            first.Add(samples[0]);
            later.AddRange(samples.Skip(1));
        }

        return (first, later);
    }

    /// <summary>The 1-minute load average (Linux), or null elsewhere.</summary>
    private static double? LoadAverage() =>
        File.Exists("/proc/loadavg") && double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture, out var load) ? load : null;

    private static int Words(int i) => 20 + (i * 97 % 900);

    private static string Prompt(string salt, int words) => string.Join(' ', Enumerable.Repeat(salt + " word", words));

    private static async Task<List<Sample>> ChildAsync(
        SimulatorHost server, bool selfWarm, int words, int requests, CancellationToken cancellationToken, string dialect = DialectNames.OpenAi)
    {
        var seen = server.Log.Count;
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (var arg in (string[])[ProbeErrorChild.Flag, server.BaseUrl.ToString(), server.Profile.Model, selfWarm.ToString(),
                     words.ToString(CultureInfo.InvariantCulture), requests.ToString(CultureInfo.InvariantCulture), dialect])
        {
            start.ArgumentList.Add(arg);
        }

        using var child = Process.Start(start)!;
        var output = await child.StandardOutput.ReadToEndAsync(cancellationToken);
        await child.WaitForExitAsync(cancellationToken);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var records = await RecordsAsync(server, seen, lines.Length);
        return lines.Zip(records, (line, record) =>
        {
            var fields = line.Split(' ');
            return fields.Length == 2 && double.TryParse(fields[0], CultureInfo.InvariantCulture, out var ttft) && long.TryParse(fields[1], CultureInfo.InvariantCulture, out var stamp)
                ? Sample.Of(server, record, ttft, stamp)
                : Sample.Of(server, record, null, null);
        }).ToList();
    }

    /// <summary>The simulator logs a request when its stream ends, a moment after the client read the end; in the order sent, as they are sequential.</summary>
    private static async Task<IReadOnlyList<RequestRecord>> RecordsAsync(SimulatorHost server, int seen, int count)
    {
        for (var i = 0; i < 200 && server.Log.Count < seen + count; i++)
        {
            await Task.Delay(5);
        }

        return server.Log.Snapshot().Skip(seen).Take(count).ToList();
    }

    private static Row Summary(string name, List<Sample> samples)
    {
        var errors = samples.Select(s => s.ErrorMs).Where(double.IsFinite).Order().ToList();
        return new Row(
            name,
            samples.Count,
            errors.Count == 0 ? double.NaN : Math.Round(errors[errors.Count / 2], 3),
            errors.Count == 0 ? double.NaN : Math.Round(errors[^1], 3),
            Median(samples.Select(s => s.SendMs)),
            Median(samples.Select(s => s.ReceiveMs)),
            Math.Round(samples.Select(s => s.ServerTtftMs).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average(), 2),
            samples.Count(s => double.IsFinite(s.ErrorMs) && Math.Abs(s.ErrorMs) <= Math.Max(GoalMs, GoalFraction * s.ServerTtftMs)),
            samples.Select(s => Math.Round(s.ErrorMs, 3)).ToList(),
            samples.Count(s => s.ErrorMs > 5),
            samples.Count(s => s.ServerLateMs > 5),
            samples.Where(s => s.ErrorMs > 5).Select(s => string.Create(CultureInfo.InvariantCulture, $"probe +{s.ErrorMs:F1} ms, stall measured {s.ClientStallMs:F1} ms")).ToList(),
            samples.Where(s => !(Math.Abs(s.ErrorMs) <= Math.Max(GoalMs, GoalFraction * s.ServerTtftMs)))
                .Select(s => string.Create(CultureInfo.InvariantCulture, $"error {s.ErrorMs:F3} ms: send {s.SendMs:F3}, receive {s.ReceiveMs:F3}"))
                .ToList());
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(double.IsFinite).Order().ToList();
        return sorted.Count == 0 ? double.NaN : Math.Round(sorted[sorted.Count / 2], 3);
    }

    /// <param name="ErrorMs">What the probe added: its TTFT less the server's own.</param>
    private sealed record Sample(double ProbeTtftMs, double ServerTtftMs, double ErrorMs)
    {
        /// <summary>
        /// Both stamp with Stopwatch ticks of the same monotonic clock (the simulator's log converts them to Unix time
        /// with its own base), so the error splits into its sending side (probe start to the simulator's arrival stamp:
        /// the client's request path, the kernel and Kestrel up to the handler) and its receiving side (the
        /// simulator's first chunk flushed to the probe's first-token stamp: kernel, the client's read, SSE and JSON).
        /// </summary>
        public static Sample Of(SimulatorHost server, RequestRecord record, double? probeTtftMs, long? firstTokenTimestamp)
        {
            var serverTtft = record.ActualTtftMs ?? double.NaN;
            var sendMs = double.NaN;
            var receiveMs = double.NaN;
            if (probeTtftMs is { } ttft && firstTokenTimestamp is { } stamp && record.FirstTokenSentUnixNs > 0)
            {
                var unixNsOfTimestampZero = server.Clock.NowUnixNs - SimClock.ToNs(Stopwatch.GetTimestamp());
                var firstTokenUnixNs = unixNsOfTimestampZero + SimClock.ToNs(stamp);
                receiveMs = (firstTokenUnixNs - record.FirstTokenSentUnixNs) / 1e6;
                sendMs = (record.ArrivalUnixNs - (firstTokenUnixNs - SimClock.MsToNs(ttft))) / 1e6;
            }

            return new Sample(probeTtftMs ?? double.NaN, serverTtft, (probeTtftMs ?? double.NaN) - serverTtft)
            {
                ServerLateMs = (record.ActualTtftMs ?? double.NaN) - (record.ModelledTtftMs ?? double.NaN),
                SendMs = sendMs,
                ReceiveMs = receiveMs,
            };
        }

        /// <summary>How late the simulator sent its first token against its own model (its share of the machine's load).</summary>
        public double ServerLateMs { get; init; }

        /// <summary>The probe's own stall measure at its first-token stamp.</summary>
        public double ClientStallMs { get; init; }

        /// <summary>The error's sending side: the probe's start to the simulator's arrival stamp.</summary>
        public double SendMs { get; init; }

        /// <summary>The error's receiving side: the simulator's first chunk flushed to the probe's first-token stamp.</summary>
        public double ReceiveMs { get; init; }
    }

    private sealed record Row(
        string Case, int Requests, double P50Ms, double MaxMs, double SendP50Ms, double ReceiveP50Ms, double MeanServerTtftMs, int WithinGoal, IReadOnlyList<double> ErrorsMs,
        int ClientLateOver5Ms, int ServerLateOver5Ms, IReadOnlyList<string> ClientLate, IReadOnlyList<string> OutOfGoal);
}
