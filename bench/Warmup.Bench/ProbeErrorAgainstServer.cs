using System.Diagnostics;
using System.Globalization;
using System.Reflection;
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

    public static async Task<object> RunAsync(bool quick, CancellationToken cancellationToken)
    {
        var profile = SimulatorProfile.Default with { TimeScale = 0.05, StartupDelayMs = 0 };
        await using var server = await SimulatorHost.StartAsync(new SimulatorOptions { Profile = profile }, cancellationToken);
        var processes = quick ? 4 : 12;
        var later = quick ? 30 : 150;

        var firstWarmed = new List<Sample>();
        var firstUnwarmed = new List<Sample>();
        for (var i = 0; i < processes; i++)
        {
            // Alternate, so both see the same machine load over the run.
            firstWarmed.Add(await ChildAsync(server, selfWarm: true, Words(i), cancellationToken));
            firstUnwarmed.Add(await ChildAsync(server, selfWarm: false, Words(i), cancellationToken));
        }

        using var http = WarmupHttp.CreateClient();
        var probe = new StreamingProbe(http, NoAuthentication.Instance);
        var target = new WarmupTarget { Name = "stamps", BaseUrl = server.BaseUrl, Model = profile.Model };
        var dialect = new OpenAiDialect();
        var laterSamples = new List<Sample>();
        for (var i = 0; i < later; i++)
        {
            var seen = server.Log.Count;
            var result = await probe.SendAsync(target, dialect, new GenerationRequest(Prompt($"later {i}", Words(i)), 8, PromptTokens: Words(i) * 3), "stamps", cancellationToken);
            laterSamples.Add(await SampleAsync(server, seen, result.TtftMs) with { ClientStallMs = result.ClientStallMs });
        }

        var rows = new[]
        {
            Summary("first request of a process, self-warmed", firstWarmed),
            Summary("first request of a process, no self-warm (before)", firstUnwarmed),
            Summary("later requests of one process", laterSamples),
        };
        foreach (var row in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"   {row.Case,-52} n={row.Requests,3} error p50 {row.P50Ms,6:F3} ms max {row.MaxMs,6:F3} ms, within goal {row.WithinGoal}/{row.Requests}; " +
                $"client +5 ms {row.ClientLateOver5Ms}, simulator late +5 ms {row.ServerLateOver5Ms}"));
            foreach (var late in row.ClientLate)
            {
                Console.WriteLine($"      {late}");
            }
        }

        return new
        {
            description = "Probe TTFT minus the simulator's own TTFT (arrival to first chunk flushed, from its request log) at concurrency 1, sequential requests, " +
                          "default profile at TimeScale 0.05, simulator in the benchmark's process; first-of-process samples each in a fresh child process.",
            goal = "every request within max(2 % of the server's TTFT, 0.5 ms)",
            metGoal = rows[0].WithinGoal == rows[0].Requests && rows[2].WithinGoal == rows[2].Requests,
            cases = rows,
        };
    }

    private static int Words(int i) => 20 + (i * 97 % 900);

    private static string Prompt(string salt, int words) => string.Join(' ', Enumerable.Repeat(salt + " word", words));

    private static async Task<Sample> ChildAsync(SimulatorHost server, bool selfWarm, int words, CancellationToken cancellationToken)
    {
        var seen = server.Log.Count;
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (var arg in (string[])[ProbeErrorChild.Flag, server.BaseUrl.ToString(), server.Profile.Model, selfWarm.ToString(), words.ToString(CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(arg);
        }

        using var child = Process.Start(start)!;
        var output = await child.StandardOutput.ReadToEndAsync(cancellationToken);
        await child.WaitForExitAsync(cancellationToken);
        return await SampleAsync(server, seen, double.TryParse(output.Trim(), CultureInfo.InvariantCulture, out var ttft) ? ttft : null);
    }

    /// <summary>The simulator logs a request when its stream ends, a moment after the client read the end.</summary>
    private static async Task<Sample> SampleAsync(SimulatorHost server, int seen, double? probeTtftMs)
    {
        for (var i = 0; i < 200 && server.Log.Count <= seen; i++)
        {
            await Task.Delay(5);
        }

        var record = server.Log.Snapshot()[^1];
        var serverTtft = record.ActualTtftMs ?? double.NaN;
        return new Sample(probeTtftMs ?? double.NaN, serverTtft, (probeTtftMs ?? double.NaN) - serverTtft)
        {
            ServerLateMs = (record.ActualTtftMs ?? double.NaN) - (record.ModelledTtftMs ?? double.NaN),
        };
    }

    private static Row Summary(string name, List<Sample> samples)
    {
        var errors = samples.Select(s => s.ErrorMs).Where(double.IsFinite).Order().ToList();
        return new Row(
            name,
            samples.Count,
            errors.Count == 0 ? double.NaN : Math.Round(errors[errors.Count / 2], 3),
            errors.Count == 0 ? double.NaN : Math.Round(errors[^1], 3),
            Math.Round(samples.Select(s => s.ServerTtftMs).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average(), 2),
            samples.Count(s => double.IsFinite(s.ErrorMs) && Math.Abs(s.ErrorMs) <= Math.Max(GoalMs, GoalFraction * s.ServerTtftMs)),
            samples.Select(s => Math.Round(s.ErrorMs, 3)).ToList(),
            samples.Count(s => s.ErrorMs > 5),
            samples.Count(s => s.ServerLateMs > 5),
            samples.Where(s => s.ErrorMs > 5).Select(s => string.Create(CultureInfo.InvariantCulture, $"probe +{s.ErrorMs:F1} ms, stall measured {s.ClientStallMs:F1} ms")).ToList());
    }

    /// <param name="ErrorMs">What the probe added: its TTFT less the server's own.</param>
    private sealed record Sample(double ProbeTtftMs, double ServerTtftMs, double ErrorMs)
    {
        /// <summary>How late the simulator sent its first token against its own model (its share of the machine's load).</summary>
        public double ServerLateMs { get; init; }

        /// <summary>The probe's own stall measure at its first-token stamp.</summary>
        public double ClientStallMs { get; init; }
    }

    private sealed record Row(
        string Case, int Requests, double P50Ms, double MaxMs, double MeanServerTtftMs, int WithinGoal, IReadOnlyList<double> ErrorsMs,
        int ClientLateOver5Ms, int ServerLateOver5Ms, IReadOnlyList<string> ClientLate);
}
