using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using Warmup.Core.Probing;
using Warmup.Core.Targets;

namespace Warmup.Core.Dialects.OpenAi;

/// <summary>Writes the JSON body of an OpenAI-compatible streamed generation.</summary>
internal static class OpenAiRequestBody
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public static HttpContent Create(WarmupTarget target, GenerationRequest request, bool chat)
    {
        var buffer = new ArrayBufferWriter<byte>(request.Prompt.Length + 320);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model"u8, request.Adapter ?? target.Model);
            if (chat)
            {
                json.WriteStartArray("messages"u8);
                json.WriteStartObject();
                json.WriteString("role"u8, "user"u8);
                json.WriteString("content"u8, request.Prompt);
                json.WriteEndObject();
                json.WriteEndArray();
            }
            else
            {
                json.WriteString("prompt"u8, request.Prompt);
            }

            // min_tokens = max_tokens with ignore_eos gives an exact output length on vLLM/SGLang; others ignore the extras.
            json.WriteNumber("max_tokens"u8, request.MaxOutputTokens);
            json.WriteNumber("min_tokens"u8, request.MaxOutputTokens);
            json.WriteBoolean("ignore_eos"u8, true);
            json.WriteNumber("temperature"u8, 0);
            json.WriteBoolean("stream"u8, true);
            json.WriteStartObject("stream_options"u8);
            json.WriteBoolean("include_usage"u8, true);
            json.WriteEndObject();
            json.WriteString("user"u8, WarmupTraffic.UserField);
            json.WriteEndObject();
        }

        var content = new ReadOnlyMemoryContent(buffer.WrittenMemory);
        content.Headers.ContentType = Json;
        return content;
    }
}
