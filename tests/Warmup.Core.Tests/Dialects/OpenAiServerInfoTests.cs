using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Warmup.Core.Dialects.OpenAi;
using Warmup.Core.Probing;
using Warmup.Core.Tests.TestSupport;

namespace Warmup.Core.Tests.Dialects;

/// <summary>Tokenizer, context window and load look-ups against real loopback servers answering like vLLM and llama.cpp.</summary>
public sealed class OpenAiServerInfoTests
{
    private readonly OpenAiDialect _dialect = new();
    private readonly HttpClient _http = WarmupHttp.CreateClient();

    [Fact]
    public async Task Tokenize_reads_the_vllm_count_and_sends_prompt_and_model()
    {
        JsonDocument? seen = null;
        await using var server = await LoopbackServer.StartAsync(app => app.MapPost("/tokenize", async (HttpRequest request) =>
        {
            seen = await JsonDocument.ParseAsync(request.Body);
            return Results.Json(new { count = 5, max_model_len = 8192, tokens = new[] { 1, 2, 3, 4, 5 } });
        }));
        var target = TestTargets.At(server.BaseUrl);

        var count = await _dialect.CountTokensAsync(_http, target, "the quick brown fox", CancellationToken.None);

        Assert.Equal(5, count);
        Assert.Equal(target.Model, seen!.RootElement.GetProperty("model").GetString());
        Assert.Equal("the quick brown fox", seen.RootElement.GetProperty("prompt").GetString());
    }

    [Fact]
    public async Task Tokenize_counts_llamacpp_tokens_when_there_is_no_count()
    {
        string? content = null;
        await using var server = await LoopbackServer.StartAsync(app => app.MapPost("/tokenize", async (HttpRequest request) =>
        {
            using var body = await JsonDocument.ParseAsync(request.Body);
            content = body.RootElement.GetProperty("content").GetString();
            return Results.Json(new { tokens = new[] { 1, 278, 4996, 17354, 1701, 29916 } });
        }));

        var count = await _dialect.CountTokensAsync(_http, TestTargets.At(server.BaseUrl), "the quick brown fox", CancellationToken.None);

        Assert.Equal(6, count);
        Assert.Equal("the quick brown fox", content);
    }

    [Theory]
    [InlineData(404)]
    [InlineData(405)]
    public async Task Tokenize_is_null_when_the_server_has_no_tokenizer_endpoint(int status)
    {
        await using var server = await LoopbackServer.StartAsync(context =>
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        });

        Assert.Null(await _dialect.CountTokensAsync(_http, TestTargets.At(server.BaseUrl), "x", CancellationToken.None));
    }

    [Fact]
    public async Task Tokenize_is_null_when_nothing_listens()
    {
        Assert.Null(await _dialect.CountTokensAsync(_http, TestTargets.At(ClosedPort()), "x", CancellationToken.None));
    }

    [Fact]
    public async Task Tokenize_failure_other_than_a_missing_endpoint_is_reported()
    {
        await using var server = await LoopbackServer.StartAsync(context =>
        {
            context.Response.StatusCode = 401;
            return Task.CompletedTask;
        });
        var target = TestTargets.At(server.BaseUrl);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => _dialect.CountTokensAsync(_http, target, "x", CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Contains(target.Name, error.Message);
    }

    [Fact]
    public async Task Max_context_is_the_vllm_max_model_len_of_the_served_model()
    {
        const string models = """
            {"object":"list","data":[
              {"id":"other","object":"model","owned_by":"vllm","max_model_len":2048},
              {"id":"meta-llama/Llama-3.1-8B-Instruct","object":"model","created":1760000000,"owned_by":"vllm","root":"meta-llama/Llama-3.1-8B-Instruct","parent":null,"max_model_len":8192}]}
            """;
        await using var server = await LoopbackServer.StartAsync(app => app.MapGet("/v1/models", () => Results.Text(models, "application/json")));

        Assert.Equal(8192, await _dialect.GetMaxContextAsync(_http, TestTargets.At(server.BaseUrl), CancellationToken.None));
    }

    [Fact]
    public async Task Max_context_on_llamacpp_is_the_slot_context_from_props()
    {
        await using var server = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/v1/models", () => Results.Text(FixturePaths.TranscriptText("llamacpp", "models.json"), "application/json"));
            app.MapGet("/props", () => Results.Text(FixturePaths.TranscriptText("llamacpp", "props.json"), "application/json"));
        });

        // The target's model name differs from llama.cpp's file-name id; a single listed model is still the one served.
        Assert.Equal(4096, await _dialect.GetMaxContextAsync(_http, TestTargets.At(server.BaseUrl), CancellationToken.None));
    }

    [Fact]
    public async Task Max_context_falls_back_to_n_ctx_train_without_props()
    {
        const string models = """{"object":"list","data":[{"id":"m.gguf","object":"model","owned_by":"llamacpp","meta":{"n_ctx_train":4096}}]}""";
        await using var server = await LoopbackServer.StartAsync(app => app.MapGet("/v1/models", () => Results.Text(models, "application/json")));

        Assert.Equal(4096, await _dialect.GetMaxContextAsync(_http, TestTargets.At(server.BaseUrl), CancellationToken.None));
    }

    [Fact]
    public async Task Max_context_is_null_when_unknown()
    {
        await using var server = await LoopbackServer.StartAsync(app =>
            app.MapGet("/v1/models", () => Results.Text(FixturePaths.TranscriptText("llamacpp", "models-loading.json"), "application/json", statusCode: 503)));

        Assert.Null(await _dialect.GetMaxContextAsync(_http, TestTargets.At(server.BaseUrl), CancellationToken.None));
    }

    [Fact]
    public async Task Load_from_llamacpp_metrics_uses_generated_tokens_as_the_activity_counter()
    {
        await using var server = await LoopbackServer.StartAsync(app =>
            app.MapGet("/metrics", () => Results.Text(FixturePaths.TranscriptText("llamacpp", "metrics.busy.txt"), "text/plain; version=0.0.4")));

        var load = await _dialect.GetLoadAsync(_http, TestTargets.At(server.BaseUrl), CancellationToken.None);

        Assert.NotNull(load);
        Assert.Equal((28d, 1d, 2d), (load.RequestsCompleted, load.Running, load.Waiting));
        Assert.Equal("llamacpp:tokens_predicted_total", load.ActivityCounter);
    }

    [Fact]
    public async Task Load_from_vllm_metrics_sums_label_sets()
    {
        await using var server = await LoopbackServer.StartAsync(app =>
            app.MapGet("/metrics", () => Results.Text(PrometheusTextTests.VllmSample, "text/plain; version=0.0.4")));

        var load = await _dialect.GetLoadAsync(_http, TestTargets.At(server.BaseUrl), CancellationToken.None);

        Assert.Equal(new Warmup.Core.Dialects.ServerLoad(15, 3, 2) { ActivityCounter = "vllm:request_success_total" }, load);
    }

    [Fact]
    public async Task Load_is_null_without_a_metrics_endpoint()
    {
        await using var server = await LoopbackServer.StartAsync(app =>
            app.MapGet("/metrics", () => Results.Text("This server does not support metrics endpoint.", statusCode: 501)));

        Assert.Null(await _dialect.GetLoadAsync(_http, TestTargets.At(server.BaseUrl), CancellationToken.None));
        Assert.Null(await _dialect.GetLoadAsync(_http, TestTargets.At(ClosedPort()), CancellationToken.None));
    }

    internal static Uri ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }
}
