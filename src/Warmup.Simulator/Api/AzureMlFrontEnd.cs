using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Warmup.Simulator.Api;

/// <summary>
/// An Azure ML managed online endpoint (protocols.md §8): one front end, several deployments each with its own engine
/// (own cold state). <c>azureml-model-deployment</c> picks the deployment whatever the traffic split; without it the
/// first deployment (100 % traffic) answers. An unknown deployment is a 404, a missing or wrong key a 401, and a
/// deployment still loading 503 (the front end holds traffic until the readiness probe passes; status inferred).
/// The container behind it is vLLM (BYOC: every path is forwarded) plus a /score route for a custom scoring script.
/// Each deployment's request_settings are enforced on scoring requests (<see cref="AzureMlFrontEndQueue"/>): 429 past
/// the admitted queue, 408 when the first byte would come after request_timeout_ms.
/// </summary>
internal static class AzureMlFrontEnd
{
    public const string DeploymentHeader = "azureml-model-deployment";

    /// <summary>HttpContext item: a token that fires at the request's request_timeout_ms (see GenerationHandler).</summary>
    public const string FirstByteDeadline = "azureml-first-byte-deadline";

    public static void Map(WebApplication app, SimulatorOptions options, FamilyState state, IReadOnlyDictionary<string, SimDeployment> deployments)
    {
        var expected = string.IsNullOrEmpty(options.ApiKey) ? null : $"Bearer {options.ApiKey}";
        app.Use(async (ctx, next) =>
        {
            if (ctx.Request.Path.StartsWithSegments("/sim"))
            {
                await next(ctx);
                return;
            }

            if (expected is not null && ctx.Request.Headers.Authorization.ToString() != expected)
            {
                await FamilyRoutes.Text(ctx, 401, "", "text/plain");
                return;
            }

            var requested = ctx.Request.Headers[DeploymentHeader].ToString();
            var name = string.IsNullOrEmpty(requested) ? options.AzureMlDeployments[0] : requested;
            if (!deployments.TryGetValue(name, out var deployment))
            {
                await FamilyRoutes.Json(ctx, 404, new { message = $"No deployment found with name '{requested}' in this endpoint." });
                return;
            }

            if (!state.Loaded)
            {
                await FamilyRoutes.Json(ctx, 503, new { message = $"Deployment '{name}' is not ready yet." });
                return;
            }

            ctx.Items[typeof(SimDeployment)] = deployment;
            ctx.Response.Headers["azureml-model-deployment"] = name;
            if (!HttpMethods.IsPost(ctx.Request.Method))
            {
                await next(ctx);
                return;
            }

            await ScoreThroughQueueAsync(ctx, deployment.FrontEnd, next);
        });

        app.MapGet("/health", FamilyRoutes.Ok);
        app.MapGet("/", FamilyRoutes.Ok);
        app.MapPost("/v1/completions", ctx => Of(ctx).Generation.HandleAsync(ctx, WireKind.Completions));
        app.MapPost("/v1/chat/completions", ctx => Of(ctx).Generation.HandleAsync(ctx, WireKind.ChatCompletions));
        app.MapGet("/v1/models", ctx => Of(ctx).Operations.ModelsAsync(ctx));
        app.MapPost("/score", ScoreAsync);
        app.MapGet("/sim/log", ctx => deployments.Values.First().Operations.LogAsync(ctx));
        app.MapGet("/sim/state", ctx => FamilyRoutes.Json(ctx, 200, deployments.ToDictionary(d => d.Key, d => d.Value.Engine.Snapshot())));
    }

    /// <summary>A scoring request under the deployment's request_settings: 429 past the queue, 408 past the timeout.</summary>
    private static async Task ScoreThroughQueueAsync(HttpContext ctx, AzureMlFrontEndQueue queue, RequestDelegate next)
    {
        if (!queue.TryAdmit())
        {
            await FamilyRoutes.Json(ctx, 429, new { message = "Too many pending requests: the deployment's max_concurrent_requests_per_instance is reached." });
            return;
        }

        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
            deadline.CancelAfter(queue.Timeout);
            if (!await queue.RunWhenFreeAsync(deadline.Token))
            {
                if (!ctx.RequestAborted.IsCancellationRequested)
                {
                    await RequestTimeoutAsync(ctx);
                }

                return;
            }

            try
            {
                ctx.Items[FirstByteDeadline] = deadline.Token;
                await next(ctx);
            }
            finally
            {
                queue.EndRun();
            }
        }
        finally
        {
            queue.Leave();
        }
    }

    /// <summary>The front end's 408: the request ran past the deployment's request_timeout_ms before answering.</summary>
    public static Task RequestTimeoutAsync(HttpContext ctx) =>
        FamilyRoutes.Json(ctx, 408, new { message = "Request timed out: the deployment did not answer within request_timeout_ms." });

    private static SimDeployment Of(HttpContext ctx) => (SimDeployment)ctx.Items[typeof(SimDeployment)]!;

    /// <summary>
    /// A custom scoring script: <c>{"prompt": "...", "max_tokens": N}</c> (top level or under <c>input_data</c>), answered in one
    /// piece (no stream) as an OpenAI completion body.
    /// </summary>
    private static async Task ScoreAsync(HttpContext ctx)
    {
        using var body = await JsonDocument.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
        var root = body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("input_data", out var input) ? input : body.RootElement;
        var prompt = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("prompt", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        var maxTokens = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("max_tokens", out var m) && m.TryGetInt32(out var n) ? n : 16;
        if (prompt is null)
        {
            await FamilyRoutes.Json(ctx, 400, new { error = "the scoring script expects {\"prompt\": \"...\", \"max_tokens\": N}" });
            return;
        }

        var completion = JsonSerializer.SerializeToUtf8Bytes(new { prompt, max_tokens = maxTokens, min_tokens = maxTokens, ignore_eos = true });
        ctx.Request.Body = new MemoryStream(completion);
        await Of(ctx).Generation.HandleAsync(ctx, WireKind.Completions);
    }
}
