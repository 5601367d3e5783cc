using System.Text.Json.Serialization;

namespace Warmup.Core.Dialects.OpenAi;

internal sealed record TokenizeRequest(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("content")] string Content);

internal sealed record TokenizeResponse(
    [property: JsonPropertyName("count")] int? Count,
    [property: JsonPropertyName("tokens")] IReadOnlyList<JsonElementPlaceholder>? Tokens);

/// <summary>Token ids are counted, never read; llama.cpp can return objects instead of ints with <c>with_pieces</c>.</summary>
[JsonConverter(typeof(SkippingConverter))]
internal readonly record struct JsonElementPlaceholder;

internal sealed class SkippingConverter : JsonConverter<JsonElementPlaceholder>
{
    public override JsonElementPlaceholder Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options)
    {
        reader.Skip();
        return default;
    }

    public override void Write(System.Text.Json.Utf8JsonWriter writer, JsonElementPlaceholder value, System.Text.Json.JsonSerializerOptions options) =>
        writer.WriteNullValue();
}

internal sealed record ModelList([property: JsonPropertyName("data")] IReadOnlyList<ModelCard>? Data);

internal sealed record ModelCard(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("max_model_len")] int? MaxModelLen,
    [property: JsonPropertyName("owned_by")] string? OwnedBy,
    [property: JsonPropertyName("meta")] ModelMeta? Meta);

internal sealed record ModelMeta([property: JsonPropertyName("n_ctx_train")] int? ContextTrained);

internal sealed record ServerProps(
    [property: JsonPropertyName("default_generation_settings")] GenerationSettings? DefaultGenerationSettings);

internal sealed record GenerationSettings([property: JsonPropertyName("n_ctx")] int? ContextSize);

[JsonSerializable(typeof(TokenizeRequest))]
[JsonSerializable(typeof(TokenizeResponse))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(ServerProps))]
internal sealed partial class OpenAiJsonContext : JsonSerializerContext;
