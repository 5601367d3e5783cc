using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Warmup.Core.Dialects.OpenAi;
using Warmup.Core.Readiness;
using Warmup.Core.Targets;
using Warmup.Core.Tests.TestSupport;

namespace Warmup.Core.Tests.Readiness;

/// <summary>The model and adapters are checked against GET /v1/models before any warm-up traffic.</summary>
public sealed class ServedModelCheckTests
{
    [Fact]
    public async Task A_model_the_server_does_not_list_is_named_with_the_servers_list()
    {
        await using var server = await ModelsServer("""{"object":"list","data":[{"id":"served-model","owned_by":"vllm"},{"id":"sql-lora","owned_by":"vllm"}]}""");
        using var http = new HttpClient();

        var problem = await ServedModelCheck.FindProblemAsync(http, Target(server, "wrong-model"), new OpenAiDialect(), CancellationToken.None);

        Assert.Equal($"'wrong-model' is not served by http://127.0.0.1:{server.BaseUrl.Port}: /v1/models lists 'served-model', 'sql-lora'", problem);
    }

    [Fact]
    public async Task Missing_adapters_are_named_too_and_served_ones_pass()
    {
        await using var server = await ModelsServer("""{"object":"list","data":[{"id":"served-model"},{"id":"sql-lora"}]}""");
        using var http = new HttpClient();
        var dialect = new OpenAiDialect();

        var missing = await ServedModelCheck.FindProblemAsync(http, Target(server, "served-model", "sql-lora", "gone-lora", "old-lora"), dialect, CancellationToken.None);
        var fine = await ServedModelCheck.FindProblemAsync(http, Target(server, "served-model", "sql-lora"), dialect, CancellationToken.None);

        Assert.StartsWith("'gone-lora', 'old-lora' are not served by", missing);
        Assert.Null(fine);
    }

    [Theory]
    [InlineData("""{"object":"list","data":[{"id":"model.gguf","owned_by":"llamacpp"}]}""")] // llama.cpp answers to any name
    [InlineData("""{"object":"list","data":[]}""")]
    [InlineData("not json")]
    public async Task A_list_that_cannot_decide_lets_the_run_go_on(string body)
    {
        await using var server = await ModelsServer(body);
        using var http = new HttpClient();

        Assert.Null(await ServedModelCheck.FindProblemAsync(http, Target(server, "anything"), new OpenAiDialect(), CancellationToken.None));
    }

    [Fact]
    public async Task A_server_without_a_model_list_is_not_checked()
    {
        await using var server = await LoopbackServer.StartAsync(app => app.MapGet("/health", () => Results.Ok()));
        using var http = new HttpClient();

        Assert.Null(await ServedModelCheck.FindProblemAsync(http, Target(server, "anything"), new OpenAiDialect(), CancellationToken.None));
    }

    private static Task<LoopbackServer> ModelsServer(string body) =>
        LoopbackServer.StartAsync(app => app.MapGet("/v1/models", () => Results.Content(body, "application/json")));

    private static WarmupTarget Target(LoopbackServer server, string model, params string[] adapters) =>
        new() { Name = "t", BaseUrl = server.BaseUrl, Model = model, Adapters = adapters };
}
