using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Warmup.Core.Dialects;
using Warmup.Core.Probing;
using Warmup.Core.Targets;

namespace Warmup.Core.Tests.Readiness;

/// <summary>
/// Test-only dialect speaking vLLM's operational endpoints: GET /health (200 = ready), POST /tokenize
/// ({"count":N}), GET /v1/models (max_model_len). Generation is not needed by these tests.
/// </summary>
internal sealed class VllmLikeTestDialect : IDialect
{
    public string Name => "test-vllm";

    public bool ForcesOutputLength => true;

    public HttpRequestMessage CreateReadinessRequest(WarmupTarget target) => new(HttpMethod.Get, new Uri(target.BaseUrl, "health"));

    public bool IsReady(HttpResponseMessage response) => response.StatusCode == HttpStatusCode.OK;

    public async Task<int?> CountTokensAsync(HttpClient http, WarmupTarget target, string text, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(new Uri(target.BaseUrl, "tokenize"), new { model = target.Model, prompt = text }, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return document.RootElement.GetProperty("count").GetInt32();
    }

    public async Task<int?> GetMaxContextAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri(target.BaseUrl, "v1/models"), cancellationToken);
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return document.RootElement.GetProperty("data")[0].GetProperty("max_model_len").GetInt32();
    }

    public HttpRequestMessage CreateGenerationRequest(WarmupTarget target, GenerationRequest request)
        => throw new NotSupportedException("Generation is not part of the readiness and prompt tests.");

    public IAsyncEnumerable<StreamEvent> ReadEventsAsync(Stream body, CancellationToken cancellationToken)
        => throw new NotSupportedException("Generation is not part of the readiness and prompt tests.");

    public Task<ServerLoad?> GetLoadAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken)
        => Task.FromResult<ServerLoad?>(null);

    public static WarmupTarget TargetAt(Uri baseUrl, string name = "test") => new() { Name = name, BaseUrl = baseUrl, Model = "test-model" };
}

/// <summary>Adds a fixed bearer token, so tests can see that every poll was authenticated.</summary>
internal sealed class FixedKeyAuthenticator(string key) : IRequestAuthenticator
{
    public ValueTask AuthenticateAsync(WarmupTarget target, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return ValueTask.CompletedTask;
    }
}
