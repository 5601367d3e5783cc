using Warmup.Core.Dialects;
using Warmup.Core.Probing;
using Warmup.Core.Prompts;
using Warmup.Core.Targets;

namespace Warmup.Cli.Demo;

/// <summary>
/// The demo's "next users": a burst of <see cref="Users"/> people sending a <see cref="PromptTokens"/>-token prompt at the
/// same moment, as after a deployment when traffic is switched over. The shape is chosen from what each part of a run
/// sends, not from the simulator: verification probes one request at a time, so nothing it warms runs at a batch of 8;
/// the seed plan stops at 4 concurrent 32-token prompts and light at one 64-token prompt. Eight long prompts at once need
/// a batch size, prefill lengths and KV-cache room that only a plan covering concurrency and long prompts together can
/// have prepared, so the burst shows what the plan did, not what verification did.
/// </summary>
internal sealed class NextUsers(HttpClient http)
{
    public const int Users = 8;
    public const int PromptTokens = 2048;
    public const int OutputTokens = 32;

    public static string Shape => $"{Users} users at once with {PromptTokens:N0}-token prompts";

    /// <summary>Builds every prompt first (tokenizer round trips would stagger the burst), then sends them together.</summary>
    public async Task<IReadOnlyList<ProbeResult>> SendAsync(WarmupTarget target, string salt, CancellationToken cancellationToken)
    {
        var dialect = DialectRegistry.Default.Get(target.Dialect);
        var factory = new PromptFactory(http);
        var requests = new List<GenerationRequest>(Users);
        for (var i = 0; i < Users; i++)
        {
            requests.Add(await factory.CreateAsync(target, dialect, PromptTokens, OutputTokens, $"{salt}-{i}", adapter: null, cancellationToken));
        }

        var probe = new StreamingProbe(http, NoAuthentication.Instance);
        return await Task.WhenAll(requests.Select((r, i) => probe.SendAsync(target, dialect, r, $"demo-{salt}-{i}", cancellationToken)));
    }

    /// <summary>The unluckiest user's TTFT: a burst is as cold as its slowest first token. Null when none answered.</summary>
    public static double? WorstTtftMs(IReadOnlyList<ProbeResult> burst) =>
        burst.Where(r => r.TtftMs.HasValue).Select(r => r.TtftMs!.Value).DefaultIfEmpty().Max() is var worst && worst > 0 ? worst : null;
}
