using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Warmup.Integration.Tests.Orchestration;

/// <summary>How the loopback server decides that a request pays a cold-start penalty.</summary>
internal enum ColdModel
{
    /// <summary>Always steady: every request has the base TTFT.</summary>
    None,

    /// <summary>Like a server with compiled prefill shapes at powers of two: the first request per bucket is slow.</summary>
    PowerOfTwoBuckets,

    /// <summary>The first request per fine length class (8 tokens wide) is slow: no plan can cover what users send next.</summary>
    EveryLength,
}

/// <summary>One generation request as the server saw it.</summary>
internal sealed record SeenRequest(int PromptTokens, int MaxTokens, bool Cold, int InFlightAtArrival, string? WarmupHeader, DateTime ArrivedUtc);

/// <summary>
/// A small vLLM-compatible server on 127.0.0.1 (Kestrel): GET /health, GET /v1/models (max_model_len),
/// POST /tokenize (one token per whitespace-separated word), and streamed POST /v1/completions with a usage chunk and
/// data: [DONE]. TTFT is <see cref="BaseTtft"/>, plus <see cref="ColdPenalty"/> the first time a shape is seen per
/// <see cref="ColdModel"/>.
/// </summary>
internal sealed class VllmLikeServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<int, byte> _warmShapes = new();
    private int _inFlight;
    private int _maxInFlight;

    private VllmLikeServer(WebApplication app, ColdModel cold, int maxModelLen)
    {
        _app = app;
        Cold = cold;
        MaxModelLen = maxModelLen;
    }

    public ColdModel Cold { get; }

    public int MaxModelLen { get; }

    public TimeSpan BaseTtft { get; init; } = TimeSpan.FromMilliseconds(150);

    public TimeSpan ColdPenalty { get; init; } = TimeSpan.FromMilliseconds(800);

    public TimeSpan InterToken { get; init; } = TimeSpan.FromMilliseconds(2);

    public Uri BaseUrl { get; private set; } = null!;

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>Called as each generation request arrives (before it is answered).</summary>
    public Action<SeenRequest>? OnRequest { get; set; }

    /// <summary>Awaited after <see cref="OnRequest"/>, before any answer: lets a test hold a request (the token ends when the client goes away).</summary>
    public Func<SeenRequest, CancellationToken, Task>? BeforeAnswer { get; set; }

    public static async Task<VllmLikeServer> StartAsync(ColdModel cold, int maxModelLen = 1024, TimeSpan? baseTtft = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new VllmLikeServer(app, cold, maxModelLen) { BaseTtft = baseTtft ?? TimeSpan.FromMilliseconds(150) };
        app.MapGet("/health", () => Results.Ok());
        app.MapGet("/v1/models", () => Results.Json(new { @object = "list", data = new[] { new { id = "tiny", @object = "model", max_model_len = maxModelLen } } }));
        app.MapPost("/tokenize", server.TokenizeAsync);
        app.MapPost("/v1/completions", server.CompleteAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseUrl = new Uri(address + "/");
        return server;
    }

    public static int CountTokens(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    private async Task<IResult> TokenizeAsync(HttpRequest request)
    {
        var body = await JsonNode.ParseAsync(request.Body);
        var prompt = body?["prompt"]?.GetValue<string>() ?? string.Empty;
        var count = CountTokens(prompt);
        return Results.Json(new { count, max_model_len = MaxModelLen, tokens = Enumerable.Range(0, count) });
    }

    private async Task CompleteAsync(HttpContext http)
    {
        var body = await JsonNode.ParseAsync(http.Request.Body);
        var promptTokens = CountTokens(body?["prompt"]?.GetValue<string>() ?? string.Empty);
        var maxTokens = body?["max_tokens"]?.GetValue<int>() ?? 16;
        var inFlight = Interlocked.Increment(ref _inFlight);
        try
        {
            UpdateMax(inFlight);
            var cold = IsCold(promptTokens);
            var seen = new SeenRequest(promptTokens, maxTokens, cold, inFlight, http.Request.Headers["X-Warmup-Request"].FirstOrDefault(), DateTime.UtcNow);
            Requests.Enqueue(seen);
            OnRequest?.Invoke(seen);
            if (BeforeAnswer is { } hold)
            {
                await hold(seen, http.RequestAborted);
            }

            http.Response.ContentType = "text/event-stream";
            await http.Response.StartAsync();
            await Task.Delay(BaseTtft + (cold ? ColdPenalty : TimeSpan.Zero));
            for (var i = 0; i < maxTokens; i++)
            {
                if (i > 0)
                {
                    await Task.Delay(InterToken);
                }

                var finish = i == maxTokens - 1 ? "length" : null;
                await WriteAsync(http, new { id = "cmpl-1", @object = "text_completion", model = "tiny", choices = new[] { new { index = 0, text = " tok", finish_reason = finish } } });
            }

            await WriteAsync(http, new { id = "cmpl-1", @object = "text_completion", model = "tiny", choices = Array.Empty<object>(), usage = new { prompt_tokens = promptTokens, completion_tokens = maxTokens, total_tokens = promptTokens + maxTokens } });
            await http.Response.WriteAsync("data: [DONE]\n\n");
            await http.Response.Body.FlushAsync();
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private bool IsCold(int promptTokens)
    {
        var shape = Cold switch
        {
            ColdModel.PowerOfTwoBuckets => (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(promptTokens, 1)),
            ColdModel.EveryLength => promptTokens / 8,
            _ => -1,
        };
        return shape >= 0 && _warmShapes.TryAdd(shape, 0);
    }

    private void UpdateMax(int inFlight)
    {
        int seen;
        while (inFlight > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, inFlight, seen) != seen)
        {
        }
    }

    private static async Task WriteAsync(HttpContext http, object chunk)
    {
        await http.Response.WriteAsync("data: " + JsonSerializer.Serialize(chunk) + "\n\n");
        await http.Response.Body.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
