using System.Text;
using Warmup.Core.Dialects.Metrics;
using Warmup.Core.Targets;

namespace Warmup.Core.Dialects.Wire;

/// <summary>GET of a Prometheus page (the target's /metrics, or its configured metrics URL) turned into <see cref="ServerLoad"/>.</summary>
internal static class MetricsScrape
{
    public static async Task<ServerLoad?> GetLoadAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken)
    {
        var uri = target.MetricsUrl ?? EndpointUri.Combine(target.BaseUrl, "metrics");
        var response = await OperationalHttp.TryGetAsync(http, uri, cancellationToken).ConfigureAwait(false);
        return response is { Status: 200 } ok ? ServerLoadReader.Read(PrometheusText.Parse(Encoding.UTF8.GetString(ok.Body))) : null;
    }

    /// <summary>POST /tokenize answered with a token list (TGI: a bare array of tokens; llama.cpp: {"tokens":[...]}).</summary>
    public static async Task<int?> CountTokensAsync(
        HttpClient http, WarmupTarget target, HttpContent body, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, EndpointUri.Combine(target.BaseUrl, "tokenize")) { Content = body };
        var response = await OperationalHttp.TrySendAndDisposeAsync(http, request, cancellationToken).ConfigureAwait(false);
        if (response is not { } answered || OperationalHttp.IsMissingEndpoint(answered.Status))
        {
            return null;
        }

        if (answered.Status != 200)
        {
            throw new HttpRequestException(
                $"Target '{target.Name}': POST /tokenize answered HTTP {answered.Status}.", null, (System.Net.HttpStatusCode)answered.Status);
        }

        using var json = JsonBody.TryParse(answered.Body);
        return json?.RootElement switch
        {
            { ValueKind: System.Text.Json.JsonValueKind.Array } array => array.GetArrayLength(),
            { ValueKind: System.Text.Json.JsonValueKind.Object } obj when obj.TryGetProperty("tokens", out var tokens)
                && tokens.ValueKind == System.Text.Json.JsonValueKind.Array => tokens.GetArrayLength(),
            { ValueKind: System.Text.Json.JsonValueKind.Object } obj => JsonBody.Int(obj, "count"),
            _ => null,
        };
    }
}
