using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Warmup.Simulator.Tests.Infrastructure;

/// <summary>Starts simulators for tests (fast TimeScale, no start-up delay unless asked) and talks to them over real HTTP.</summary>
internal static class Sim
{
    public static SimulatorProfile Fast(string builtin = "default", double timeScale = 0.02) =>
        SimulatorProfile.Builtin(builtin) with { TimeScale = timeScale, StartupDelayMs = 0, JitterFraction = 0 };

    public static Task<SimulatorHost> StartAsync(SimulatorProfile? profile = null, FaultPlan? faults = null, string? apiKey = null, string? logFile = null) =>
        SimulatorHost.StartAsync(new SimulatorOptions
        {
            Profile = profile ?? Fast(),
            Faults = faults ?? FaultPlan.None,
            ApiKey = apiKey,
            LogFile = logFile,
        }, CancellationToken.None);

    public static HttpClient Client(SimulatorHost host) => new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
    {
        BaseAddress = host.BaseUrl,
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>A prompt of exactly <paramref name="tokens"/> simulator tokens; <paramref name="tag"/> makes it unique.</summary>
    public static string Prompt(int tokens, string tag)
    {
        var words = new List<string> { tag };
        for (var i = 1; i < tokens; i++)
        {
            words.Add("w" + (i % 97));
        }

        var text = string.Join(' ', words);
        Assert.Equal(tokens, SimTokenizer.Count(text));
        return text;
    }

    public static JsonObject CompletionBody(string prompt, int maxTokens = 4, bool stream = true, bool? includeUsage = null, string? model = null)
    {
        var body = new JsonObject
        {
            ["model"] = model ?? SimulatorProfile.Default.Model,
            ["prompt"] = prompt,
            ["max_tokens"] = maxTokens,
            ["min_tokens"] = maxTokens,
            ["ignore_eos"] = true,
            ["temperature"] = 0,
            ["stream"] = stream,
        };
        if (includeUsage is { } usage)
        {
            body["stream_options"] = new JsonObject { ["include_usage"] = usage };
        }

        return body;
    }

    public static JsonObject ChatBody(string content, int maxTokens = 4, bool stream = true, bool? includeUsage = null, string? model = null)
    {
        var body = new JsonObject
        {
            ["model"] = model ?? SimulatorProfile.Default.Model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = content }),
            ["max_completion_tokens"] = maxTokens,
            ["min_tokens"] = maxTokens,
            ["ignore_eos"] = true,
            ["stream"] = stream,
        };
        if (includeUsage is { } usage)
        {
            body["stream_options"] = new JsonObject { ["include_usage"] = usage };
        }

        return body;
    }

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, JsonNode body, CancellationToken ct = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }

    /// <summary>Streams a request to the end and returns the SSE data payloads plus the response.</summary>
    public static async Task<StreamResult> StreamAsync(HttpClient client, string path, JsonNode body)
    {
        using var response = await PostAsync(client, path, body);
        var events = new List<string>();
        if (response.IsSuccessStatusCode)
        {
            await using var stream = await response.Content.ReadAsStreamAsync();
            await foreach (var item in SseParser.Create(stream).EnumerateAsync())
            {
                events.Add(item.Data);
            }
        }

        return new StreamResult(response, events, Header(response, "x-request-id"), Header(response, "x-sim-penalties"));
    }

    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.First() : null;

    public static async Task<RequestRecord> RecordAsync(SimulatorHost host, string? requestId)
    {
        Assert.NotNull(requestId);
        return await host.Log.WaitForAsync(requestId, TimeSpan.FromSeconds(10));
    }

    /// <summary>Sends a streaming completion and returns the server's record of it.</summary>
    public static async Task<RequestRecord> CompleteAsync(SimulatorHost host, HttpClient client, JsonObject body)
    {
        var result = await StreamAsync(client, "/v1/completions", body);
        Assert.True(result.Response.IsSuccessStatusCode, $"status {(int)result.Response.StatusCode}");
        return await RecordAsync(host, result.RequestId);
    }
}

internal sealed record StreamResult(HttpResponseMessage Response, IReadOnlyList<string> Events, string? RequestId, string? Penalties)
{
    public IReadOnlyList<JsonObject> Json => Events.Where(e => e != "[DONE]").Select(e => JsonNode.Parse(e)!.AsObject()).ToList();
}
