using System.Text.Json;
using Warmup.Core.Targets;

namespace Warmup.Core.Dialects.OpenAi;

/// <summary>Tokenizer and context-window look-ups that OpenAI-compatible servers expose beside the /v1 API.</summary>
internal static class OpenAiServerInfo
{
    /// <summary>llama.cpp's owned_by in /v1/models; it serves its loaded model whatever name a request gives.</summary>
    private const string LlamaCppOwner = "llamacpp";

    /// <summary>
    /// POST /tokenize. vLLM reads <c>prompt</c> and answers <c>{"count":N,"tokens":[...]}</c>; llama.cpp reads
    /// <c>content</c> and answers <c>{"tokens":[...]}</c>. Both ignore the other's field, so one request serves both.
    /// </summary>
    public static async Task<int?> CountTokensAsync(HttpClient http, WarmupTarget target, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        var body = JsonSerializer.SerializeToUtf8Bytes(new TokenizeRequest(target.Model, text, text), OpenAiJsonContext.Default.TokenizeRequest);
        var request = new HttpRequestMessage(HttpMethod.Post, EndpointUri.Combine(target.BaseUrl, "tokenize"))
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } },
        };
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

        return ReadTokenCount(answered.Body);
    }

    /// <summary>
    /// vLLM reports <c>max_model_len</c> in /v1/models. llama.cpp does not; there the per-slot context from /props is
    /// the real limit (it can be far below the model's <c>n_ctx_train</c>), so it wins over <c>meta.n_ctx_train</c>.
    /// </summary>
    public static async Task<int?> GetMaxContextAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken)
    {
        int? trainedContext = null;
        var models = await OperationalHttp.TryGetAsync(http, EndpointUri.Combine(target.BaseUrl, "v1/models"), cancellationToken).ConfigureAwait(false);
        if (models is { Status: 200 } modelsOk && ReadModelEntry(modelsOk.Body, target.Model) is { } entry)
        {
            if (entry.MaxModelLen is { } maxModelLen)
            {
                return maxModelLen;
            }

            trainedContext = entry.ContextTrained;
        }

        var props = await OperationalHttp.TryGetAsync(http, EndpointUri.Combine(target.BaseUrl, "props"), cancellationToken).ConfigureAwait(false);
        if (props is { Status: 200 } propsOk && ReadSlotContext(propsOk.Body) is { } slotContext)
        {
            return slotContext;
        }

        return trainedContext;
    }

    /// <summary>
    /// The ids GET /v1/models lists, or null when the server has no such list, answers anything but 200 (the
    /// generation requests will say why) or is llama.cpp, whose one model answers to any name.
    /// </summary>
    public static async Task<IReadOnlyList<string>?> ListServedModelsAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken)
    {
        var models = await OperationalHttp.TryGetAsync(http, EndpointUri.Combine(target.BaseUrl, "v1/models"), cancellationToken).ConfigureAwait(false);
        return models is { Status: 200 } ok ? ReadServedModels(ok.Body) : null;
    }

    internal static IReadOnlyList<string>? ReadServedModels(ReadOnlySpan<byte> json)
    {
        ModelList? list;
        try
        {
            list = JsonSerializer.Deserialize(json, OpenAiJsonContext.Default.ModelList);
        }
        catch (JsonException)
        {
            return null;
        }

        var ids = list?.Data?.Select(m => m.Id).OfType<string>().ToList();
        if (ids is null || ids.Count == 0 || list!.Data!.Any(m => string.Equals(m.OwnedBy, LlamaCppOwner, StringComparison.Ordinal)))
        {
            return null;
        }

        return ids;
    }

    internal static int? ReadTokenCount(ReadOnlySpan<byte> json)
    {
        try
        {
            var response = JsonSerializer.Deserialize(json, OpenAiJsonContext.Default.TokenizeResponse);
            return response?.Count ?? response?.Tokens?.Count;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The entry whose id is the served model; a server listing exactly one model (llama.cpp names it after the file) gives that one.</summary>
    internal static (int? MaxModelLen, int? ContextTrained)? ReadModelEntry(ReadOnlySpan<byte> json, string model)
    {
        ModelList? list;
        try
        {
            list = JsonSerializer.Deserialize(json, OpenAiJsonContext.Default.ModelList);
        }
        catch (JsonException)
        {
            return null;
        }

        var data = list?.Data;
        if (data is null || data.Count == 0)
        {
            return null;
        }

        var card = data.FirstOrDefault(m => string.Equals(m.Id, model, StringComparison.Ordinal)) ?? (data.Count == 1 ? data[0] : null);
        return card is null ? null : (card.MaxModelLen, card.Meta?.ContextTrained);
    }

    internal static int? ReadSlotContext(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, OpenAiJsonContext.Default.ServerProps)?.DefaultGenerationSettings?.ContextSize;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
