using System.Text.Json;

namespace Warmup.Core.Dialects.Wire;

/// <summary>
/// One streamed event that is a JSON object (TGI, SGLang, llama.cpp and Triton's native streams): anything else is
/// malformed, an <c>error</c> member is the server's error (its <c>message</c>, a plain string, or the raw JSON), and
/// the rest is left to the dialect's own reading of the object.
/// </summary>
internal static class JsonObjectEvent
{
    public static ParsedEvent Parse(ReadOnlySpan<byte> data, Func<JsonElement, ParsedEvent> readContent)
    {
        try
        {
            var reader = new Utf8JsonReader(data);
            using var json = JsonDocument.ParseValue(ref reader);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return ParsedEvent.Malformed("event is not a JSON object");
            }

            if (root.TryGetProperty("error", out var error))
            {
                return ParsedEvent.Error(error.ValueKind switch
                {
                    JsonValueKind.Object => JsonBody.String(error, "message") ?? error.GetRawText(),
                    JsonValueKind.String => error.GetString()!,
                    _ => error.GetRawText(),
                });
            }

            return readContent(root);
        }
        catch (JsonException)
        {
            return ParsedEvent.Malformed("event is not valid JSON");
        }
    }
}
