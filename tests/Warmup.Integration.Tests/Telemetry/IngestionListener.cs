using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Warmup.Integration.Tests.Telemetry;

/// <summary>
/// A loopback stand-in for Application Insights ingestion: accepts POST /v2.1/track, keeps every NDJSON envelope
/// (gunzipping only when Content-Encoding says so) and answers the way the service does.
/// </summary>
internal sealed class IngestionListener : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<string> _paths = new();

    private IngestionListener(WebApplication app) => _app = app;

    public string ConnectionString { get; private set; } = "";

    public IReadOnlyList<string> Paths => [.. _paths];

    /// <summary>Every envelope line as received, for "appears nowhere" checks.</summary>
    public IReadOnlyList<string> RawLines => [.. _lines];

    public IReadOnlyList<Envelope> Envelopes => [.. _lines.Select(line => new Envelope(JsonNode.Parse(line)!.AsObject()))];

    public static async Task<IngestionListener> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var listener = new IngestionListener(app);
        app.MapPost("/{**path}", listener.TrackAsync);
        await app.StartAsync();
        var address = app.Urls.Single().TrimEnd('/');
        listener.ConnectionString = $"InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint={address}/";
        return listener;
    }

    private async Task TrackAsync(HttpContext context)
    {
        _paths.Enqueue(context.Request.Path.Value ?? "");
        var body = context.Request.Body;
        if (context.Request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase))
        {
            body = new GZipStream(body, CompressionMode.Decompress);
        }

        using var reader = new StreamReader(body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var line in lines)
        {
            _lines.Enqueue(line);
        }

        await context.Response.WriteAsJsonAsync(new { itemsReceived = lines.Length, itemsAccepted = lines.Length, errors = Array.Empty<object>() });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One Application Insights envelope: {"name", "time", "tags", "data": {"baseType", "baseData"}}.</summary>
internal sealed record Envelope(JsonObject Json)
{
    public string Name => (string)Json["name"]!;

    public string BaseType => (string)Json["data"]!["baseType"]!;

    public JsonObject BaseData => Json["data"]!["baseData"]!.AsObject();

    public string? Tag(string name) => (string?)Json["tags"]?[name];

    public string? OperationId => Tag("ai.operation.id");

    public string? ParentId => Tag("ai.operation.parentId");

    /// <summary>A customDimensions value (the exporter sends every property as a string).</summary>
    public string? Property(string name) => (string?)BaseData["properties"]?[name];

    public string? Id => (string?)BaseData["id"];

    public override string ToString() => Json.ToJsonString();
}

internal static class EnvelopeQueries
{
    public static IEnumerable<Envelope> Events(this IEnumerable<Envelope> envelopes, string eventName) =>
        envelopes.Where(e => e.BaseType == "EventData" && (string?)e.BaseData["name"] == eventName);

    public static IEnumerable<Envelope> ForTarget(this IEnumerable<Envelope> envelopes, string target) =>
        envelopes.Where(e => e.Property("target") == target || e.Property("warmup.target") == target);

    public static IEnumerable<(Envelope Envelope, JsonObject Metric)> Metrics(this IEnumerable<Envelope> envelopes, string metricName) =>
        envelopes
            .Where(e => e.BaseType == "MetricData")
            .SelectMany(e => e.BaseData["metrics"]!.AsArray().Select(m => (e, m!.AsObject())))
            .Where(pair => (string?)pair.Item2["name"] == metricName);
}
