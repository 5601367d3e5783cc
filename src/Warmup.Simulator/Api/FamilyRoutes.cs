using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Warmup.Simulator.Metrics;

namespace Warmup.Simulator.Api;

/// <summary>
/// Routes, readiness answers and metrics of the non-vLLM families (protocols.md §3–§8). Generation always goes to the
/// same engine through <see cref="GenerationHandler"/>; only the wire differs.
/// </summary>
internal static class FamilyRoutes
{
    public static void Map(WebApplication app, SimulatorOptions options, FamilyState state, IReadOnlyDictionary<string, SimDeployment> deployments, SimDeployment primary)
    {
        var profile = options.Profile;
        var model = profile.Model;
        var generation = primary.Generation;
        var ops = primary.Operations;
        switch (options.Family)
        {
            case ServerFamily.Tgi:
                app.MapPost("/generate_stream", ctx => generation.HandleAsync(ctx, WireKind.TgiGenerateStream));
                app.MapGet("/health", Ok);
                app.MapGet("/info", ctx => Json(ctx, 200, new
                {
                    model_id = model,
                    max_concurrent_requests = 128,
                    max_input_tokens = profile.MaxModelLen - 1,
                    max_total_tokens = profile.MaxModelLen,
                    router = "text-generation-router",
                    version = "3.3.6",
                }));
                app.MapPost("/tokenize", ctx => TokenizeAsync(ctx, "inputs", ids => ids.Select((id, i) => new { id, text = "", start = i, stop = i + 1 })));
                app.MapGet("/v1/models", ctx => Json(ctx, 200, new { @object = "list", data = new[] { new { id = model, @object = "model", created = 0, owned_by = model } } }));
                break;

            case ServerFamily.Sglang:
                app.MapPost("/generate", ctx => generation.HandleAsync(ctx, WireKind.SglangGenerate));
                // Listening, but /health answers 503 until SGLang's own warm-up request is done.
                app.MapGet("/health", ctx => state.Loaded ? Ok(ctx) : Text(ctx, 503, ""));
                app.MapGet("/health_generate", ctx => state.Loaded ? Ok(ctx) : Text(ctx, 503, ""));
                app.MapGet("/get_model_info", ctx => Json(ctx, 200, new { model_path = model, tokenizer_path = model, is_generation = true }));
                app.MapGet("/model_info", ctx => Json(ctx, 200, new { model_path = model, tokenizer_path = model, is_generation = true }));
                app.MapGet("/get_server_info", ctx => Json(ctx, 200, new { model_path = model, context_length = profile.MaxModelLen, version = "0.5.0" }));
                app.MapGet("/v1/models", ctx => Json(ctx, 200, ModelList(model, "sglang", profile.MaxModelLen)));
                break;

            case ServerFamily.LlamaCpp:
                // The HTTP server listens before the model is loaded and answers every route 503 "Loading model".
                app.Use(async (ctx, next) =>
                {
                    if (!state.Loaded && !HttpMethods.IsOptions(ctx.Request.Method) && !ctx.Request.Path.StartsWithSegments("/sim"))
                    {
                        await Json(ctx, 503, new { error = new { code = 503, message = "Loading model", type = "unavailable_error" } });
                        return;
                    }

                    await next(ctx);
                });
                app.MapPost("/completion", ctx => generation.HandleAsync(ctx, WireKind.LlamaCompletion));
                app.MapGet("/health", ctx => Json(ctx, 200, new { status = "ok" }));
                app.MapGet("/props", ctx => Json(ctx, 200, new
                {
                    default_generation_settings = new { n_ctx = profile.MaxModelLen, model },
                    total_slots = options.LlamaCppSlots,
                    model_path = $"/models/{model}.gguf",
                    build_info = "b4xxx-simulated",
                }));
                app.MapGet("/slots", ctx => Json(ctx, 200, Enumerable.Range(0, options.LlamaCppSlots)
                    .Select(i => new { id = i, n_ctx = profile.MaxModelLen, is_processing = false })));
                app.MapPost("/tokenize", ctx => TokenizeAsync(ctx, "content", ids => new { tokens = ids }));
                app.MapGet("/v1/models", ctx => Json(ctx, 200, ModelList(model, "llamacpp", profile.MaxModelLen)));
                break;

            case ServerFamily.Ollama:
                var ollama = new OllamaEndpoints(model, state, generation);
                app.MapGet("/", ctx => Text(ctx, 200, "Ollama is running"));
                app.MapGet("/api/version", ctx => Json(ctx, 200, new { version = "0.12.0" }));
                app.MapGet("/api/tags", ollama.TagsAsync);
                app.MapGet("/api/ps", ollama.PsAsync);
                app.MapPost("/api/show", ctx => Json(ctx, 200, new { model_info = new Dictionary<string, object> { ["llama.context_length"] = profile.MaxModelLen } }));
                app.MapPost("/api/generate", ctx => ollama.GenerateAsync(ctx, WireKind.OllamaGenerate));
                app.MapPost("/api/chat", ctx => ollama.GenerateAsync(ctx, WireKind.OllamaChat));
                break;

            case ServerFamily.Triton:
                app.MapGet("/v2", ctx => Json(ctx, 200, new { name = "triton", version = "2.51.0", extensions = new[] { "classification", "model_repository", "generate" } }));
                app.MapGet("/v2/health/live", Ok);
                app.MapGet("/v2/health/ready", ctx => state.Loaded ? Ok(ctx) : Text(ctx, 400, ""));
                // Model names are path segments: an escaped '/' (%2F) stays escaped in the route value.
                app.MapGet("/v2/models/{name}/ready", (HttpContext ctx, string name) =>
                    Uri.UnescapeDataString(name) != model ? Json(ctx, 400, new { error = $"Request for unknown model: '{name}' is not found" })
                    : state.Loaded ? Ok(ctx) : Json(ctx, 400, new { error = "Model version not ready" }));
                app.MapPost("/v2/models/{name}/generate_stream", (HttpContext ctx, string name) =>
                    Uri.UnescapeDataString(name) != model ? Json(ctx, 400, new { error = $"Request for unknown model: '{name}' is not found" })
                    : !state.Loaded ? Json(ctx, 400, new { error = $"Request for unknown model: '{name}' has no available versions" })
                    : generation.HandleAsync(ctx, WireKind.TritonGenerateStream));
                break;

            case ServerFamily.AzureMl:
                AzureMlFrontEnd.Map(app, options, state, deployments);
                return;
        }

        // Every family also serves the OpenAI layer (TGI Messages API, SGLang /v1, llama.cpp /v1, Ollama /v1).
        app.MapPost("/v1/completions", ctx => generation.HandleAsync(ctx, WireKind.Completions));
        app.MapPost("/v1/chat/completions", ctx => generation.HandleAsync(ctx, WireKind.ChatCompletions));
        // Ollama has no metrics; Triton serves them on its own port (SimulatorHost.MetricsUrl), as --metrics-port does.
        if (options.Family is not (ServerFamily.Ollama or ServerFamily.Triton))
        {
            app.MapGet("/metrics", ctx => Text(ctx, 200, FamilyMetrics.Render(options.Family, primary.Metrics, model), "text/plain; version=0.0.4"));
        }

        app.MapGet("/sim/log", ops.LogAsync);
        app.MapGet("/sim/state", ops.StateAsync);
    }

    internal static object ModelList(string model, string ownedBy, int maxModelLen) =>
        new { @object = "list", data = new[] { new { id = model, @object = "model", created = 1760000000, owned_by = ownedBy, root = model, max_model_len = maxModelLen } } };

    internal static Task Ok(HttpContext ctx)
    {
        ctx.Response.StatusCode = 200;
        return Task.CompletedTask;
    }

    internal static async Task Text(HttpContext ctx, int status, string text, string contentType = "text/plain; charset=utf-8")
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = contentType;
        await ctx.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), ctx.RequestAborted);
    }

    internal static async Task Json(HttpContext ctx, int status, object body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(body), ctx.RequestAborted);
    }

    private static async Task TokenizeAsync(HttpContext ctx, string field, Func<int[], object> answer)
    {
        using var body = await JsonDocument.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
        var text = body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : "";
        await Json(ctx, 200, answer(SimTokenizer.Encode(text)));
    }
}
