using Warmup.Core.Probing;
using Warmup.Core.Targets;
using Warmup.Simulator;

namespace Warmup.Cli.Demo;

/// <summary>
/// What real users send after a warm-up, for `demo --compare`: the <see cref="NextUsers"/> burst, then single users at
/// a short, a middling and a long prompt. Sent twice; the second pass is the steady state of the same mix.
/// </summary>
internal sealed class UserMix(HttpClient http)
{
    private static readonly int[] SingleUserPrompts = [300, 1500, 3000];

    public async Task<MixResult> SendAsync(WarmupTarget target, SimulatorHost simulator, CancellationToken cancellationToken)
    {
        var first = await PassAsync(target, simulator, "mix-1", cancellationToken);
        var again = await PassAsync(target, simulator, "mix-2", cancellationToken);
        return new MixResult(first.Penalties, first.WorstTtftMs, again.WorstTtftMs, first.PenaltyNames);
    }

    private async Task<(int Penalties, double? WorstTtftMs, IReadOnlyList<string> PenaltyNames)> PassAsync(
        WarmupTarget target, SimulatorHost simulator, string salt, CancellationToken cancellationToken)
    {
        var since = simulator.Log.Count;
        var results = new List<ProbeResult>(await new NextUsers(http).SendAsync(target, salt, cancellationToken));
        var single = new FirstUserRequest(http);
        foreach (var tokens in SingleUserPrompts)
        {
            results.Add(await single.SendAsync(target, tokens, $"{salt}-{tokens}", cancellationToken));
        }

        var penalties = SimulatorPenalties.BeforeFirstToken(simulator, since);
        return (penalties.Count, NextUsers.WorstTtftMs(results), penalties.Distinct().ToList());
    }
}

/// <param name="ColdPenalties">Cold-start penalties the first pass met before a first token (the simulator's own record).</param>
/// <param name="WorstFirstMs">Slowest TTFT of the first pass.</param>
/// <param name="WorstSteadyMs">Slowest TTFT of the same mix sent again.</param>
internal sealed record MixResult(int ColdPenalties, double? WorstFirstMs, double? WorstSteadyMs, IReadOnlyList<string> PenaltyNames);

/// <summary>
/// Reads which modelled cold-start penalties requests met from the simulator's request log (the same record /sim/log and
/// the x-sim-penalties header expose). Only the demo does this: Warmup itself never sees the simulator's internals.
/// </summary>
internal static class SimulatorPenalties
{
    public static IReadOnlyList<string> BeforeFirstToken(SimulatorHost simulator, int sinceCount) =>
        simulator.Log.Snapshot().Skip(sinceCount)
            .SelectMany(r => r.Penalties.Where(p => p.BeforeFirstToken && p.Name != "idle").Select(p => p.Name))
            .ToList();
}
