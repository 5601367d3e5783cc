using System.Text;
using System.Text.Json;

namespace Warmup.Core.Dialects.OpenAi;

/// <summary>
/// Classifies one OpenAI-style stream chunk in a single forward pass with <see cref="Utf8JsonReader"/>: no DOM and no
/// strings for the hot path, because the probe parses every chunk of every concurrent stream.
/// </summary>
internal static class OpenAiChunk
{
    public static StreamEvent Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Malformed("chunk is not a JSON object");
            }

            var hasContent = false;
            var isError = false;
            string? errorMessage = null;
            string? flatMessage = null;
            var hasUsage = false;
            int? promptTokens = null;
            int? completionTokens = null;

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("choices"u8))
                {
                    reader.Read();
                    hasContent |= ReadChoices(ref reader);
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        hasUsage = true;
                        ReadUsage(ref reader, out promptTokens, out completionTokens);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.Null)
                    {
                        isError = true;
                        errorMessage = ReadErrorMessage(ref reader);
                    }
                }
                else if (reader.ValueTextEquals("object"u8))
                {
                    reader.Read();
                    isError |= reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("error"u8);
                }
                else if (reader.ValueTextEquals("message"u8))
                {
                    // The older flat error form: {"object":"error","message":"..."}.
                    reader.Read();
                    flatMessage = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    reader.Skip();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return Malformed("chunk has trailing content");
            }

            if (isError)
            {
                return new StreamEvent(StreamEventKind.Error, Detail: ErrorText.Shorten(errorMessage ?? flatMessage ?? "error object in stream"));
            }

            if (hasContent)
            {
                return new StreamEvent(StreamEventKind.Token, 1, promptTokens, completionTokens);
            }

            return hasUsage
                ? new StreamEvent(StreamEventKind.Usage, 0, promptTokens, completionTokens)
                : new StreamEvent(StreamEventKind.NoContent);
        }
        catch (JsonException)
        {
            return Malformed("chunk is not valid JSON");
        }
        catch (FormatException)
        {
            // A count that is not a whole number that fits an int.
            return Malformed("chunk has a field of an unexpected type");
        }
    }

    /// <summary>Error text of an <c>error:</c> SSE event (older llama.cpp): its JSON message when there is one, else the raw text.</summary>
    public static string ErrorEventDetail(ReadOnlySpan<byte> data)
    {
        var parsed = Parse(data);
        if (parsed.Kind == StreamEventKind.Error && parsed.Detail is { } detail)
        {
            return detail;
        }

        var reader = new Utf8JsonReader(data);
        try
        {
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isMessage = reader.ValueTextEquals("message"u8);
                    reader.Read();
                    if (isMessage && reader.TokenType == JsonTokenType.String)
                    {
                        return ErrorText.Shorten(reader.GetString()!);
                    }

                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: fall through to the raw text.
        }

        return ErrorText.Shorten(data.IsEmpty ? "error event in stream" : Encoding.UTF8.GetString(data));
    }

    private static StreamEvent Malformed(string why) => new(StreamEventKind.Malformed, Detail: why);

    /// <summary>True when any choice carries generated text, reasoning or a tool call.</summary>
    private static bool ReadChoices(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return false;
        }

        var hasContent = false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("text"u8))
                {
                    reader.Read();
                    hasContent |= IsNonEmptyString(ref reader);
                }
                else if (reader.ValueTextEquals("delta"u8))
                {
                    reader.Read();
                    hasContent |= ReadDelta(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }

        return hasContent;
    }

    private static bool ReadDelta(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return false;
        }

        var hasContent = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("content"u8) || reader.ValueTextEquals("reasoning_content"u8) || reader.ValueTextEquals("reasoning"u8))
            {
                reader.Read();
                hasContent |= IsNonEmptyString(ref reader);
            }
            else if (reader.ValueTextEquals("tool_calls"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    reader.Read();
                    hasContent |= reader.TokenType != JsonTokenType.EndArray;
                    if (reader.TokenType != JsonTokenType.EndArray)
                    {
                        reader.Skip();
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        {
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return hasContent;
    }

    private static bool IsNonEmptyString(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.ValueSpan.Length > 0;
        }

        reader.Skip();
        return false;
    }

    private static void ReadUsage(ref Utf8JsonReader reader, out int? promptTokens, out int? completionTokens)
    {
        promptTokens = null;
        completionTokens = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt_tokens"u8))
            {
                reader.Read();
                promptTokens = ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("completion_tokens"u8))
            {
                reader.Read();
                completionTokens = ReadCount(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static int? ReadCount(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Number => reader.GetInt32(),
        JsonTokenType.Null => null,
        _ => throw new JsonException("usage counts must be numbers"),
    };

    /// <summary>Reads <c>"error": {"message": ...}</c> or <c>"error": "..."</c>; leaves the reader after the value.</summary>
    private static string? ReadErrorMessage(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        string? message = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isMessage = reader.ValueTextEquals("message"u8);
            reader.Read();
            if (isMessage && reader.TokenType == JsonTokenType.String)
            {
                message = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        return message;
    }
}
