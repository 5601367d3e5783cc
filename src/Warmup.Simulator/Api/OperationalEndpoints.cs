using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Warmup.Simulator.Engine;
using Warmup.Simulator.Metrics;

namespace Warmup.Simulator.Api;

/// <summary>/health, /version, /v1/models, /tokenize, /metrics and the simulator's own /sim/log and /sim/state.</summary>
internal sealed class OperationalEndpoints(SimulatorProfile profile, SimMetrics metrics, SimulatorLog log, InferenceEngine engine, long createdUnixSeconds)
{
    public Task HealthAsync(HttpContext ctx)
    {
        ctx.Response.StatusCode = 200;
        return Task.CompletedTask;
    }

    public Task VersionAsync(HttpContext ctx) => WriteJsonAsync(ctx, json =>
    {
        json.WriteStartObject();
        json.WriteString("version", profile.Version);
        json.WriteEndObject();
    });

    public Task ModelsAsync(HttpContext ctx) => WriteJsonAsync(ctx, json =>
    {
        json.WriteStartObject();
        json.WriteString("object", "list");
        json.WriteStartArray("data");
        ModelCard(json, profile.Model, profile.Model, null);
        foreach (var adapter in profile.LoraAdapters)
        {
            ModelCard(json, adapter.Name, $"/adapters/{adapter.Name}", profile.Model);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    });

    public async Task TokenizeAsync(HttpContext ctx)
    {
        int[] ids;
        try
        {
            using var body = await JsonDocument.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
            var root = body.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String
                && model.GetString() is { } name && name != profile.Model && profile.LoraAdapters.All(a => a.Name != name))
            {
                await ApiErrors.WriteAsync(ctx, profile.ErrorStyle, 404, "NotFoundError", $"The model `{name}` does not exist.");
                return;
            }

            var kind = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("messages", out _) ? WireKind.ChatCompletions : WireKind.Completions;
            ids = GenerationRequestParser.Parse(kind, root, profile).PromptTokenIds;
        }
        catch (JsonException ex)
        {
            await ApiErrors.WriteAsync(ctx, profile.ErrorStyle, 400, "BadRequestError", $"JSON decode error: {ex.Message}");
            return;
        }
        catch (BadRequestException ex)
        {
            await ApiErrors.WriteAsync(ctx, profile.ErrorStyle, 400, "BadRequestError", ex.Message);
            return;
        }

        await WriteJsonAsync(ctx, json =>
        {
            json.WriteStartObject();
            json.WriteNumber("count", ids.Length);
            json.WriteNumber("max_model_len", profile.MaxModelLen);
            json.WriteStartArray("tokens");
            foreach (var id in ids)
            {
                json.WriteNumberValue(id);
            }

            json.WriteEndArray();
            json.WriteNull("token_strs");
            json.WriteEndObject();
        });
    }

    public async Task MetricsAsync(HttpContext ctx)
    {
        ctx.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await ctx.Response.WriteAsync(metrics.Render(), ctx.RequestAborted);
    }

    public async Task LogAsync(HttpContext ctx)
    {
        long since = 0;
        if (ctx.Request.Query.TryGetValue("since", out var value) && !long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out since))
        {
            await ApiErrors.WriteAsync(ctx, profile.ErrorStyle, 400, "BadRequestError", "since must be an integer sequence number");
            return;
        }

        var records = log.Since(since);
        ctx.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(ctx.Response.Body,
            new { records, next = records.Count > 0 ? records[^1].Sequence : since }, SimulatorLog.Json, ctx.RequestAborted);
    }

    public async Task StateAsync(HttpContext ctx)
    {
        ctx.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(ctx.Response.Body, new { profile = profile.Name, state = engine.Snapshot() }, SimulatorLog.Json, ctx.RequestAborted);
    }

    private void ModelCard(Utf8JsonWriter json, string id, string root, string? parent)
    {
        json.WriteStartObject();
        json.WriteString("id", id);
        json.WriteString("object", "model");
        json.WriteNumber("created", createdUnixSeconds);
        json.WriteString("owned_by", "vllm");
        json.WriteString("root", root);
        CompletionsFormat.WriteNullable(json, "parent", parent);
        json.WriteNumber("max_model_len", profile.MaxModelLen);
        json.WriteStartArray("permission");
        json.WriteStartObject();
        json.WriteString("id", $"modelperm-{SimTokenizer.TokenId(id):x8}");
        json.WriteString("object", "model_permission");
        json.WriteNumber("created", createdUnixSeconds);
        json.WriteBoolean("allow_create_engine", false);
        json.WriteBoolean("allow_sampling", true);
        json.WriteBoolean("allow_logprobs", true);
        json.WriteBoolean("allow_search_indices", false);
        json.WriteBoolean("allow_view", true);
        json.WriteBoolean("allow_fine_tuning", false);
        json.WriteString("organization", "*");
        json.WriteNull("group");
        json.WriteBoolean("is_blocking", false);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static async Task WriteJsonAsync(HttpContext ctx, Action<Utf8JsonWriter> write)
    {
        ctx.Response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        await ctx.Response.Body.WriteAsync(buffer.ToArray(), ctx.RequestAborted);
    }
}
