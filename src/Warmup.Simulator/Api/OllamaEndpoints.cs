using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Warmup.Simulator.Api;

/// <summary>
/// Ollama: <c>GET /</c> answers at once, but the model is listed by <c>/api/tags</c> only once the modelled start-up
/// (the pull) is over; a request with no prompt only loads the model (<c>done_reason: "load"</c>). keep_alive is read
/// and recorded, never required: Warmup must not send it.
/// </summary>
internal sealed class OllamaEndpoints(string model, FamilyState state, GenerationHandler generation)
{
    private int _keepAliveSeen;

    /// <summary>How many requests carried keep_alive (a test asserts Warmup sends none).</summary>
    public int KeepAliveSeen => Volatile.Read(ref _keepAliveSeen);

    public Task TagsAsync(HttpContext ctx) => FamilyRoutes.Json(ctx, 200, new
    {
        models = state.Loaded ? new[] { new { name = model + ":latest", model = model + ":latest", size = 4_920_753_328L } } : [],
    });

    public Task PsAsync(HttpContext ctx) => FamilyRoutes.Json(ctx, 200, new
    {
        models = state.Loaded ? new[] { new { name = model + ":latest", model = model + ":latest", size_vram = 4_920_753_328L } } : [],
    });

    public async Task GenerateAsync(HttpContext ctx, WireKind kind)
    {
        ctx.Request.EnableBuffering();
        using var body = await JsonDocument.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
        ctx.Request.Body.Position = 0;
        var root = body.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("keep_alive", out _))
        {
            Interlocked.Increment(ref _keepAliveSeen);
            ctx.Response.Headers["x-sim-keep-alive-seen"] = "true";
        }

        var name = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
        if (!state.Loaded || (name != model && name != model + ":latest"))
        {
            await FamilyRoutes.Json(ctx, 404, new { error = $"model \"{name}\" not found, try pulling it first" });
            return;
        }

        var hasPrompt = kind == WireKind.OllamaChat
            ? root.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array && messages.GetArrayLength() > 0
            : root.TryGetProperty("prompt", out var prompt) && prompt.ValueKind == JsonValueKind.String && prompt.GetString()!.Length > 0;
        if (!hasPrompt)
        {
            await FamilyRoutes.Json(ctx, 200, new { model = name, created_at = DateTimeOffset.UtcNow.ToString("O"), response = "", done = true, done_reason = "load" });
            return;
        }

        await generation.HandleAsync(ctx, kind);
    }
}
