using Warmup.Core.Planning;
using Warmup.Simulator;

namespace Warmup.Bench.Adaptive;

/// <summary>
/// The cheapest traffic that touches every prefill bucket and every decode batch size a profile compiles exactly once,
/// computed from the simulator's own shapes (the benchmark may know them; the product must not): per reachable bucket
/// one prompt one token longer than the bucket below, one output token; one burst whose batch spends one decode step at
/// each capture size up to the concurrency limit; one one-token request per adapter.
/// </summary>
internal sealed record ShapeFloor(int Requests, long PromptTokens, long OutputTokens)
{
    public long Tokens => PromptTokens + OutputTokens;

    public static ShapeFloor Of(SimulatorProfile profile, int maxConcurrency)
    {
        var longest = FullPlan.LongestPrompt(profile.MaxModelLen);
        var below = 0;
        long prompt = 0;
        var requests = 0;
        foreach (var bucket in profile.PrefillBuckets)
        {
            if (below + 1 > longest)
            {
                break;
            }

            prompt += below + 1;
            requests++;
            below = bucket;
        }

        var sizes = profile.CudaGraphCaptureSizes.Where(s => s <= maxConcurrency).ToList();
        var burst = sizes.DefaultIfEmpty(1).Max();
        long output = requests + sizes.Sum();
        prompt += burst;
        requests += burst;
        prompt += profile.LoraAdapters.Count;
        output += profile.LoraAdapters.Count;
        requests += profile.LoraAdapters.Count;
        return new ShapeFloor(requests, prompt, output);
    }
}
