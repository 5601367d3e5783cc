using System.Globalization;
using Warmup.Core.Dialects;
using Warmup.Core.Probing;
using Warmup.Core.Targets;

namespace Warmup.Bench;

/// <summary>
/// A fresh process that sends REQUESTS measured requests, one after another, and prints each one's TTFT (ms) and
/// first-token stamp: the first request of a process, start-up included, and later requests of the same process, for
/// <see cref="ProbeOverheadBenchmark"/>. Started by the benchmark as
/// <c>Warmup.Bench --probe-child BASEURL MODEL SELFWARM PROMPTWORDS REQUESTS [DIALECT]</c>; SELFWARM false measures the
/// probe as it was before it warmed itself; DIALECT (default openai) is the one the server speaks.
/// </summary>
internal static class ProbeErrorChild
{
    public const string Flag = "--probe-child";

    public static async Task<int> RunAsync(string[] args)
    {
        using var http = WarmupHttp.CreateClient();
        var probe = new StreamingProbe(http, NoAuthentication.Instance) { SelfWarm = bool.Parse(args[2]) };
        var target = new WarmupTarget { Name = "child", BaseUrl = new Uri(args[0]), Model = args[1] };
        var words = int.Parse(args[3], CultureInfo.InvariantCulture);
        var requests = int.Parse(args[4], CultureInfo.InvariantCulture);
        var dialect = DialectRegistry.Default.Get(args.Length > 5 ? args[5] : DialectNames.OpenAi);
        var failed = false;
        for (var i = 0; i < requests; i++)
        {
            var length = 20 + ((words + (i * 131)) % 900);
            var prompt = string.Join(' ', Enumerable.Repeat($"child {Environment.ProcessId} {i} word", length));
            var result = await probe.SendAsync(target, dialect, new GenerationRequest(prompt, 8, PromptTokens: length * 4), "child", CancellationToken.None);
            // The TTFT, then its first-token stamp (Stopwatch ticks: the machine's monotonic clock, the simulator's too).
            Console.WriteLine(result is { TtftMs: { } ttft, FirstTokenTimestamp: { } stamp }
                ? string.Create(CultureInfo.InvariantCulture, $"{ttft:R} {stamp}")
                : "failed: " + result.Error);
            failed |= !result.IsSuccess;
        }

        return failed ? 1 : 0;
    }
}
