using System.Text.Json;

namespace Warmup.Simulator.Api;

internal enum WireKind
{
    Completions,
    ChatCompletions,
    LegacyGenerate,
    TgiGenerateStream,
    SglangGenerate,
    LlamaCompletion,
    OllamaGenerate,
    OllamaChat,
    TritonGenerateStream,
}

/// <summary>The fields of a generation request the simulator honours, already validated and tokenized.</summary>
internal sealed record GenerationRequest
{
    public required WireKind Kind { get; init; }
    public required string Model { get; init; }
    public required string PromptText { get; init; }
    public required int[] PromptTokenIds { get; init; }
    public int? MaxTokens { get; init; }
    public int MinTokens { get; init; }
    public bool IgnoreEos { get; init; }
    public bool Stream { get; init; }
    public bool IncludeUsage { get; init; }
    public string? CacheSalt { get; init; }
    public int? Seed { get; init; }
}

/// <summary>Thrown for a request vLLM would answer with HTTP 400.</summary>
internal sealed class BadRequestException(string message) : Exception(message);

/// <summary>Reads vLLM request bodies leniently (unknown fields ignored) and rejects what vLLM rejects.</summary>
internal static class GenerationRequestParser
{
    public static GenerationRequest Parse(WireKind kind, JsonElement body, SimulatorProfile profile)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new BadRequestException("The request body must be a JSON object.");
        }

        if (kind >= WireKind.TgiGenerateStream)
        {
            return NativeRequestParser.Parse(kind, body, profile);
        }

        var model = kind == WireKind.LegacyGenerate ? profile.Model : OptionalString(body, "model") ?? profile.Model;
        var (promptText, promptIds) = kind switch
        {
            WireKind.ChatCompletions => ReadMessages(body),
            _ => ReadPrompt(body),
        };

        var stream = ReadBool(body, "stream");
        var includeUsage = false;
        if (body.TryGetProperty("stream_options", out var options) && options.ValueKind == JsonValueKind.Object)
        {
            if (!stream)
            {
                throw new BadRequestException("Stream options can only be defined when `stream=True`.");
            }

            includeUsage = ReadBool(options, "include_usage");
        }

        if (OptionalInt(body, "n") is { } n && n != 1)
        {
            throw new BadRequestException("The simulator supports only n=1.");
        }

        var maxTokens = kind == WireKind.ChatCompletions
            ? OptionalInt(body, "max_completion_tokens") ?? OptionalInt(body, "max_tokens")
            : OptionalInt(body, "max_tokens");
        if (maxTokens is < 1)
        {
            throw new BadRequestException($"max_tokens must be at least 1, got {maxTokens}.");
        }

        var minTokens = OptionalInt(body, "min_tokens") ?? 0;
        if (minTokens < 0)
        {
            throw new BadRequestException($"min_tokens must be greater than or equal to 0, got {minTokens}.");
        }

        if (maxTokens is { } max && minTokens > max)
        {
            throw new BadRequestException($"min_tokens must be less than or equal to max_tokens={max}, got {minTokens}.");
        }

        return new GenerationRequest
        {
            Kind = kind,
            Model = model,
            PromptText = promptText,
            PromptTokenIds = promptIds,
            MaxTokens = maxTokens,
            MinTokens = minTokens,
            IgnoreEos = ReadBool(body, "ignore_eos"),
            Stream = stream,
            IncludeUsage = includeUsage,
            CacheSalt = OptionalString(body, "cache_salt"),
            Seed = OptionalInt(body, "seed"),
        };
    }

    private static (string, int[]) ReadPrompt(JsonElement body)
    {
        if (!body.TryGetProperty("prompt", out var prompt) || prompt.ValueKind == JsonValueKind.Null)
        {
            throw new BadRequestException("Field required: prompt");
        }

        switch (prompt.ValueKind)
        {
            case JsonValueKind.String:
                var text = prompt.GetString()!;
                return (text, SimTokenizer.Encode(text));
            case JsonValueKind.Array when prompt.GetArrayLength() == 0:
                throw new BadRequestException("Prompt cannot be empty.");
            case JsonValueKind.Array when prompt[0].ValueKind == JsonValueKind.Number:
                var ids = TokenIds(prompt);
                return (string.Join(' ', ids), ids);
            case JsonValueKind.Array when prompt.GetArrayLength() == 1:
                return ReadPromptItem(prompt[0]);
            case JsonValueKind.Array:
                throw new BadRequestException("The simulator accepts one prompt per request (a batch of prompts is not supported).");
            default:
                throw new BadRequestException("prompt must be a string, a list with one string, or a list of token ids.");
        }
    }

    private static (string, int[]) ReadPromptItem(JsonElement item) => item.ValueKind switch
    {
        JsonValueKind.String => (item.GetString()!, SimTokenizer.Encode(item.GetString()!)),
        JsonValueKind.Array => (string.Join(' ', TokenIds(item)), TokenIds(item)),
        _ => throw new BadRequestException("prompt must be a string, a list with one string, or a list of token ids."),
    };

    private static int[] TokenIds(JsonElement array) => array.EnumerateArray()
        .Select(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var id) ? id : throw new BadRequestException("Token ids must be integers."))
        .ToArray();

    internal static (string, int[]) ReadMessages(JsonElement body)
    {
        if (!body.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
        {
            throw new BadRequestException("Field required: messages (a non-empty list)");
        }

        var turns = new List<(string, string)>();
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object || OptionalString(message, "role") is not { } role)
            {
                throw new BadRequestException("Every message needs a role.");
            }

            turns.Add((role, ContentText(message)));
        }

        var text = SimTokenizer.ApplyChatTemplate(turns);
        return (text, SimTokenizer.Encode(text));
    }

    private static string ContentText(JsonElement message)
    {
        if (!message.TryGetProperty("content", out var content))
        {
            return "";
        }

        return content.ValueKind switch
        {
            JsonValueKind.String => content.GetString()!,
            JsonValueKind.Null => "",
            // OpenAI content parts: concatenate the text parts.
            JsonValueKind.Array => string.Concat(content.EnumerateArray()
                .Where(p => p.ValueKind == JsonValueKind.Object && OptionalString(p, "type") == "text")
                .Select(p => OptionalString(p, "text") ?? "")),
            _ => throw new BadRequestException("message content must be a string or a list of parts."),
        };
    }

    internal static string? OptionalString(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    internal static int? OptionalInt(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n)
            ? n
            : throw new BadRequestException($"{name} must be an integer.");
    }

    // The legacy demo server passes "stream" straight through, so "True" as a string also means true.
    internal static bool ReadBool(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var v))
        {
            return false;
        }

        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False or JsonValueKind.Null => false,
            JsonValueKind.String => bool.TryParse(v.GetString(), out var b) ? b : throw new BadRequestException($"{name} must be a boolean."),
            _ => throw new BadRequestException($"{name} must be a boolean."),
        };
    }
}
