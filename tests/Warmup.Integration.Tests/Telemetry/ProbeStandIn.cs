using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using Warmup.Core.Probing;
using Warmup.Core.Telemetry;

namespace Warmup.Integration.Tests.Telemetry;

/// <summary>
/// Stands in for StreamingProbe (owned elsewhere, a stub on this branch) with the same telemetry contract: one
/// "warmup.request" Client span per request on WarmupTelemetry.Source, carrying only method, host, port, path and
/// status. It sends a real key and a real prompt, so the export tests can show neither leaks into telemetry.
/// </summary>
internal static class ProbeStandIn
{
    public static async Task<ProbeResult> SendAsync(HttpClient http, Uri uri, string apiKey, string prompt, int promptTokens, bool fail = false)
    {
        using var span = WarmupTelemetry.Source.StartActivity("warmup.request", ActivityKind.Client);
        span?.SetTag("http.request.method", "POST");
        span?.SetTag("server.address", uri.Host);
        span?.SetTag("server.port", uri.Port);
        span?.SetTag("url.full", uri.GetLeftPart(UriPartial.Path));

        var clock = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = JsonContent.Create(new { model = "m", prompt, stream = true, user = WarmupTraffic.UserField }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        request.Headers.Add(WarmupTraffic.HeaderName, "corr-1");
        if (fail)
        {
            request.Headers.Add(FakeLlmEndpoint.FailHeader, "1");
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        span?.SetTag("http.response.status_code", (int)response.StatusCode);
        if (!response.IsSuccessStatusCode)
        {
            span?.SetStatus(ActivityStatusCode.Error);
            return new ProbeResult { Outcome = ProbeOutcome.HttpError, StatusCode = (int)response.StatusCode, Error = "HTTP 503", PromptTokens = promptTokens };
        }

        var tokenTimes = new List<double>();
        await foreach (var item in SseParser.Create(await response.Content.ReadAsStreamAsync()).EnumerateAsync())
        {
            if (item.Data == "[DONE]")
            {
                break;
            }

            tokenTimes.Add(clock.Elapsed.TotalMilliseconds);
        }

        return new ProbeResult
        {
            Outcome = ProbeOutcome.Ok,
            StatusCode = 200,
            TtftMs = tokenTimes[0],
            InterTokenMs = tokenTimes.Zip(tokenTimes.Skip(1), (a, b) => b - a).ToList(),
            E2eMs = tokenTimes[^1],
            EndMs = clock.Elapsed.TotalMilliseconds,
            PromptTokens = promptTokens,
            OutputTokens = tokenTimes.Count,
        };
    }
}
