using System.Globalization;
using Warmup.Core.Dialects.OpenAi;
using Warmup.Core.Probing;
using Warmup.Core.Targets;

namespace Warmup.Bench;

/// <summary>
/// A fresh process that sends exactly one measured request and prints its TTFT (ms): the first request of a process,
/// start-up included, for <see cref="ProbeOverheadBenchmark"/>. Started by the benchmark as
/// <c>Warmup.Bench --probe-child BASEURL MODEL SELFWARM PROMPTWORDS</c>; SELFWARM false measures the probe as it was
/// before it warmed itself.
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
        var prompt = string.Join(' ', Enumerable.Repeat($"child {Environment.ProcessId} word", words));
        var result = await probe.SendAsync(target, new OpenAiDialect(), new GenerationRequest(prompt, 8, PromptTokens: words * 3), "child", CancellationToken.None);
        Console.WriteLine(result.TtftMs is { } ttft ? ttft.ToString("R", CultureInfo.InvariantCulture) : "failed: " + result.Error);
        return result.IsSuccess ? 0 : 1;
    }
}
