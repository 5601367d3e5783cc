using System.Net.Http.Json;

namespace Warmup.Cli.Tests.Traffic;

/// <summary>Users of a simulator: plain completions sent the way a client would, outside Warmup.</summary>
internal static class SimulatedUsers
{
    /// <summary>One request of exactly <paramref name="promptTokens"/> tokens (one word is one token in the simulator).</summary>
    public static async Task SendAsync(Uri server, string model, int promptTokens)
    {
        using var http = new HttpClient { BaseAddress = server };
        using var response = await http.PostAsJsonAsync("/v1/completions", new
        {
            model,
            prompt = string.Concat(Enumerable.Repeat(" word", promptTokens)),
            max_tokens = 4,
        });
        response.EnsureSuccessStatusCode();
    }

    public static async Task SendAsync(Uri server, string model, params int[] promptTokens)
    {
        foreach (var length in promptTokens)
        {
            await SendAsync(server, model, length);
        }
    }
}
