using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using Warmup.Core.Probing;

namespace Warmup.Core.Dialects.VllmGenerate;

/// <summary>
/// Body of the legacy <c>POST /generate</c>. The demo server passes every key except prompt/stream to
/// <c>SamplingParams(**kwargs)</c>, so only sampling fields may appear: an OpenAI-style "user" or "model" would be a 500.
/// </summary>
internal static class GenerateRequestBody
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public static HttpContent Create(GenerationRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>(request.Prompt.Length + 128);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("prompt"u8, request.Prompt);
            json.WriteBoolean("stream"u8, true);
            json.WriteNumber("max_tokens"u8, request.MaxOutputTokens);
            json.WriteNumber("min_tokens"u8, request.MaxOutputTokens);
            json.WriteBoolean("ignore_eos"u8, true);
            json.WriteNumber("temperature"u8, 0);
            json.WriteEndObject();
        }

        var content = new ReadOnlyMemoryContent(buffer.WrittenMemory);
        content.Headers.ContentType = Json;
        return content;
    }
}
