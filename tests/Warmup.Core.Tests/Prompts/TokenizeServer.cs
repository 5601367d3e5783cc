using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Warmup.Core.Tests.Readiness;
using Warmup.Core.Tests.TestSupport;

namespace Warmup.Core.Tests.Prompts;

/// <summary>
/// A loopback server with vLLM's POST /tokenize shape ({"model","prompt"} in, {"count","max_model_len","tokens"}
/// out) whose "tokenizer" follows a known rule, so tests can check calibration exactly. Counts its requests.
/// </summary>
internal sealed class TokenizeServer : IAsyncDisposable
{
    private readonly LoopbackServer _app;
    private int _requests;

    private TokenizeServer(LoopbackServer app) => _app = app;

    public Uri BaseUrl => _app.BaseUrl;

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The rule used in these tests: whitespace-separated words × 1.5, rounded half away from zero.</summary>
    public static int WordsTimesOneAndAHalf(string text)
        => (int)Math.Round(text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length * 1.5, MidpointRounding.AwayFromZero);

    /// <summary>Serves /tokenize with <paramref name="count"/>; a null rule serves a status code instead.</summary>
    public static async Task<TokenizeServer> StartAsync(Func<string, int>? count, int statusWithoutRule = 404)
    {
        TokenizeServer? server = null;
        var app = await LoopbackServer.StartAsync(web => web.MapPost("/tokenize", async (HttpContext context) =>
        {
            Interlocked.Increment(ref server!._requests);
            if (count is null)
            {
                return Results.StatusCode(statusWithoutRule);
            }

            using var body = await JsonDocument.ParseAsync(context.Request.Body);
            var n = count(body.RootElement.GetProperty("prompt").GetString()!);
            return Results.Json(new { count = n, max_model_len = 8192, tokens = Enumerable.Range(1, n) });
        }));
        server = new TokenizeServer(app);
        return server;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
