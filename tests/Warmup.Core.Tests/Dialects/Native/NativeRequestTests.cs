using System.Text.Json;
using Warmup.Core.Dialects;
using Warmup.Core.Dialects.AzureMl;
using Warmup.Core.Dialects.LlamaCpp;
using Warmup.Core.Dialects.Ollama;
using Warmup.Core.Dialects.Sglang;
using Warmup.Core.Dialects.Tgi;
using Warmup.Core.Dialects.Triton;
using Warmup.Core.Probing;
using Warmup.Core.Targets;

namespace Warmup.Core.Tests.Dialects.Native;

/// <summary>What each dialect puts on the wire: route, exact-length fields where the server has them, nothing it must not send.</summary>
public sealed class NativeRequestTests
{
    private static readonly GenerationRequest Request = new("Hello there", 7);

    private static WarmupTarget Target(string dialect, string api = OpenAiApis.Completions) => new()
    {
        Name = "t",
        BaseUrl = new Uri("http://10.0.0.4:8000/gw/"),
        Dialect = dialect,
        Model = "m",
        Api = api,
    };

    private static async Task<(string Path, JsonElement Body)> SendAsync(IDialect dialect, WarmupTarget target, GenerationRequest? request = null)
    {
        using var message = dialect.CreateGenerationRequest(target, request ?? Request);
        var json = JsonDocument.Parse(await message.Content!.ReadAsStringAsync());
        return (message.RequestUri!.AbsolutePath, json.RootElement.Clone());
    }

    [Fact]
    public async Task Tgi_caps_with_max_new_tokens_asks_for_details_and_never_sends_temperature_zero()
    {
        var (path, body) = await SendAsync(new TgiDialect(), Target(DialectNames.Tgi));

        Assert.Equal("/gw/generate_stream", path);
        Assert.Equal("Hello there", body.GetProperty("inputs").GetString());
        var parameters = body.GetProperty("parameters");
        Assert.Equal(7, parameters.GetProperty("max_new_tokens").GetInt32());
        Assert.True(parameters.GetProperty("details").GetBoolean());
        Assert.False(parameters.TryGetProperty("temperature", out _));
        Assert.False(new TgiDialect().ForcesOutputLength);
    }

    [Fact]
    public async Task Sglang_forces_the_exact_length()
    {
        var (path, body) = await SendAsync(new SglangDialect(), Target(DialectNames.Sglang));

        Assert.Equal("/gw/generate", path);
        var sampling = body.GetProperty("sampling_params");
        Assert.Equal((7, 7, true), (sampling.GetProperty("max_new_tokens").GetInt32(), sampling.GetProperty("min_new_tokens").GetInt32(), sampling.GetProperty("ignore_eos").GetBoolean()));
        Assert.True(body.GetProperty("stream").GetBoolean());
    }

    [Fact]
    public async Task LlamaCpp_forces_the_length_and_turns_the_prompt_cache_off()
    {
        var (path, body) = await SendAsync(new LlamaCppDialect(), Target(DialectNames.LlamaCpp));

        Assert.Equal("/gw/completion", path);
        Assert.Equal(7, body.GetProperty("n_predict").GetInt32());
        Assert.True(body.GetProperty("ignore_eos").GetBoolean());
        Assert.False(body.GetProperty("cache_prompt").GetBoolean());
    }

    [Theory]
    [InlineData(OpenAiApis.Completions, "/gw/api/generate")]
    [InlineData(OpenAiApis.Chat, "/gw/api/chat")]
    public async Task Ollama_never_sends_keep_alive(string api, string expectedPath)
    {
        var (path, body) = await SendAsync(new OllamaDialect(), Target(DialectNames.Ollama, api));

        Assert.Equal(expectedPath, path);
        Assert.False(body.TryGetProperty("keep_alive", out _));
        Assert.Equal(7, body.GetProperty("options").GetProperty("num_predict").GetInt32());
        Assert.Equal(api == OpenAiApis.Chat, body.TryGetProperty("messages", out _));
    }

    [Fact]
    public async Task Triton_default_template_is_the_vllm_backend_with_the_length_inside_sampling_parameters()
    {
        var (path, body) = await SendAsync(new TritonDialect(), Target(DialectNames.Triton));

        Assert.Equal("/gw/v2/models/m/generate_stream", path);
        Assert.Equal("Hello there", body.GetProperty("text_input").GetString());
        Assert.True(body.GetProperty("stream").GetBoolean());
        using var sampling = JsonDocument.Parse(body.GetProperty("sampling_parameters").GetString()!);
        Assert.Equal((7, 7, true), (sampling.RootElement.GetProperty("max_tokens").GetInt32(), sampling.RootElement.GetProperty("min_tokens").GetInt32(), sampling.RootElement.GetProperty("ignore_eos").GetBoolean()));
    }

    [Fact]
    public async Task Triton_per_target_template_maps_the_fields_of_another_backend()
    {
        var target = Target(DialectNames.Triton) with { RequestTemplate = """{"text_input":"{{prompt}}","max_tokens":"{{max_tokens}}","bad_words":"","stream":true}""" };

        var (_, body) = await SendAsync(new TritonDialect(), target);

        Assert.Equal("Hello there", body.GetProperty("text_input").GetString());
        Assert.Equal(JsonValueKind.Number, body.GetProperty("max_tokens").ValueKind);
        Assert.Equal(7, body.GetProperty("max_tokens").GetInt32());
        Assert.Equal("", body.GetProperty("bad_words").GetString());
    }

    [Fact]
    public async Task AzureMl_pins_the_deployment_and_sends_openai_chat_or_the_template_to_score()
    {
        var chat = Target(DialectNames.AzureMl, OpenAiApis.Chat) with { Auth = new TargetAuth { ApiKeySetting = "K", AzureMlDeployment = "green" } };
        var template = chat with { Api = OpenAiApis.Template, RequestTemplate = """{"input_data":{"prompt":"{{prompt}}","max_tokens":"{{max_tokens}}"}}""" };
        var dialect = new AzureMlDialect();

        using var chatMessage = dialect.CreateGenerationRequest(chat, Request);
        using var templateMessage = dialect.CreateGenerationRequest(template, Request);
        using var readiness = dialect.CreateReadinessRequest(chat);

        Assert.Equal("/gw/v1/chat/completions", chatMessage.RequestUri!.AbsolutePath);
        Assert.Equal("/gw/score", templateMessage.RequestUri!.AbsolutePath);
        Assert.All([chatMessage, templateMessage, readiness], m => Assert.Equal("green", m.Headers.GetValues(AzureMlDialect.DeploymentHeader).Single()));
        using var body = JsonDocument.Parse(await templateMessage.Content!.ReadAsStringAsync());
        Assert.Equal(7, body.RootElement.GetProperty("input_data").GetProperty("max_tokens").GetInt32());
    }

    [Fact]
    public void AzureMl_explains_the_front_end_codes_with_the_deployment_settings()
    {
        var target = Target(DialectNames.AzureMl) with
        {
            Auth = new TargetAuth { ApiKeySetting = "K", AzureMlDeployment = "green" },
            AzureMl = new AzureMlSettings { RequestTimeoutMs = 5000 },
        };
        var dialect = new AzureMlDialect();

        Assert.Contains("no deployment named 'green'", dialect.Explain(target, 404));
        Assert.Contains("request_timeout_ms (5000 ms)", dialect.Explain(target, 408));
        Assert.Contains("max_concurrent_requests_per_instance", dialect.Explain(target, 429));
        Assert.Null(dialect.Explain(target, 500));
    }

    [Fact]
    public async Task AzureMl_caps_concurrency_by_the_configured_deployment_settings_and_says_why()
    {
        var target = Target(DialectNames.AzureMl) with { AzureMl = new AzureMlSettings { MaxConcurrentRequestsPerInstance = 2, InstanceCount = 3 } };

        var capacity = await new AzureMlDialect().GetCapacityAsync(new HttpClient(), target, CancellationToken.None);

        Assert.Equal(6, capacity!.MaxConcurrency);
        Assert.Contains("max_concurrent_requests_per_instance", capacity.Note);
    }

    [Fact]
    public async Task AzureMl_without_settings_assumes_Azure_MLs_default_of_one_request_per_instance_and_says_so()
    {
        var capacity = await new AzureMlDialect().GetCapacityAsync(new HttpClient(), Target(DialectNames.AzureMl), CancellationToken.None);

        Assert.Equal(1, capacity!.MaxConcurrency);
        Assert.Contains("Azure ML's default max_concurrent_requests_per_instance", capacity.Note);
    }
}
