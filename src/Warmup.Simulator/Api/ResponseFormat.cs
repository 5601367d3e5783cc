using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Warmup.Simulator.Api;

/// <summary>Builds the bytes of one response shape (completions SSE, chat SSE, legacy NDJSON, or their non-stream bodies).</summary>
internal abstract class ResponseFormat(string id, string model, long created)
{
    protected static readonly byte[] DataPrefix = "data: "u8.ToArray();
    protected static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    protected string Id { get; } = id;
    protected string Model { get; } = model;
    protected long Created { get; } = created;

    public abstract string ContentType { get; }

    /// <summary>Bytes before the first token (the chat role chunk), or empty.</summary>
    public virtual void WriteStart(IBufferWriter<byte> output)
    {
    }

    public abstract void WriteToken(IBufferWriter<byte> output, string text, string? finishReason);

    /// <summary>The terminal bytes: usage chunk (when asked) and [DONE] for SSE; nothing for NDJSON.</summary>
    public abstract void WriteEnd(IBufferWriter<byte> output, Usage? usage);

    public abstract void WriteNonStream(IBufferWriter<byte> output, string text, string finishReason, Usage usage);

    public virtual void WriteMalformed(IBufferWriter<byte> output) => output.Write("data: {\"choices\":[{\n\n"u8);

    public virtual void WriteStreamError(IBufferWriter<byte> output, byte[] errorBody)
    {
        output.Write(DataPrefix);
        output.Write(errorBody);
        output.Write(EventEnd);
        output.Write("data: [DONE]\n\n"u8);
    }

    protected static void Event(IBufferWriter<byte> output, Action<Utf8JsonWriter> write)
    {
        output.Write(DataPrefix);
        using (var json = new Utf8JsonWriter(output, s_writerOptions))
        {
            write(json);
        }

        output.Write(EventEnd);
    }

    protected void Header(Utf8JsonWriter json, string obj)
    {
        json.WriteString("id", Id);
        json.WriteString("object", obj);
        json.WriteNumber("created", Created);
        json.WriteString("model", Model);
    }

    protected static void WriteUsage(Utf8JsonWriter json, Usage usage)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", usage.PromptTokens);
        json.WriteNumber("total_tokens", usage.PromptTokens + usage.CompletionTokens);
        json.WriteNumber("completion_tokens", usage.CompletionTokens);
        if (usage.CachedTokens is { } cached)
        {
            json.WriteStartObject("prompt_tokens_details");
            json.WriteNumber("cached_tokens", cached);
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    protected void UsageEvent(IBufferWriter<byte> output, string obj, Usage usage) => Event(output, json =>
    {
        json.WriteStartObject();
        Header(json, obj);
        json.WriteStartArray("choices");
        json.WriteEndArray();
        WriteUsage(json, usage);
        json.WriteEndObject();
    });

    protected static void Json(IBufferWriter<byte> output, Action<Utf8JsonWriter> write)
    {
        using var json = new Utf8JsonWriter(output, s_writerOptions);
        write(json);
    }
}

internal sealed record Usage(int PromptTokens, int CompletionTokens, int? CachedTokens);

internal sealed class CompletionsFormat(string id, string model, long created) : ResponseFormat(id, model, created)
{
    public override string ContentType => "text/event-stream; charset=utf-8";

    public override void WriteToken(IBufferWriter<byte> output, string text, string? finishReason) => Event(output, json =>
    {
        json.WriteStartObject();
        Header(json, "text_completion");
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        json.WriteString("text", text);
        json.WriteNull("logprobs");
        WriteNullable(json, "finish_reason", finishReason);
        json.WriteNull("stop_reason");
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    });

    public override void WriteEnd(IBufferWriter<byte> output, Usage? usage)
    {
        if (usage is not null)
        {
            UsageEvent(output, "text_completion", usage);
        }

        output.Write("data: [DONE]\n\n"u8);
    }

    public override void WriteNonStream(IBufferWriter<byte> output, string text, string finishReason, Usage usage) => Json(output, json =>
    {
        json.WriteStartObject();
        Header(json, "text_completion");
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        json.WriteString("text", text);
        json.WriteNull("logprobs");
        json.WriteString("finish_reason", finishReason);
        json.WriteNull("stop_reason");
        json.WriteNull("prompt_logprobs");
        json.WriteEndObject();
        json.WriteEndArray();
        WriteUsage(json, usage);
        json.WriteEndObject();
    });

    internal static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}

internal sealed class ChatFormat(string id, string model, long created) : ResponseFormat(id, model, created)
{
    public override string ContentType => "text/event-stream; charset=utf-8";

    public override void WriteStart(IBufferWriter<byte> output) => Event(output, json =>
    {
        json.WriteStartObject();
        Header(json, "chat.completion.chunk");
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        json.WriteStartObject("delta");
        json.WriteString("role", "assistant");
        json.WriteString("content", "");
        json.WriteEndObject();
        json.WriteNull("logprobs");
        json.WriteNull("finish_reason");
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    });

    public override void WriteToken(IBufferWriter<byte> output, string text, string? finishReason) => Event(output, json =>
    {
        json.WriteStartObject();
        Header(json, "chat.completion.chunk");
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        json.WriteStartObject("delta");
        json.WriteString("content", text);
        json.WriteEndObject();
        json.WriteNull("logprobs");
        CompletionsFormat.WriteNullable(json, "finish_reason", finishReason);
        if (finishReason is not null)
        {
            json.WriteNull("stop_reason");
        }

        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    });

    public override void WriteEnd(IBufferWriter<byte> output, Usage? usage)
    {
        if (usage is not null)
        {
            UsageEvent(output, "chat.completion.chunk", usage);
        }

        output.Write("data: [DONE]\n\n"u8);
    }

    public override void WriteNonStream(IBufferWriter<byte> output, string text, string finishReason, Usage usage) => Json(output, json =>
    {
        json.WriteStartObject();
        Header(json, "chat.completion");
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        json.WriteStartObject("message");
        json.WriteString("role", "assistant");
        json.WriteString("content", text);
        json.WriteStartArray("tool_calls");
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteNull("logprobs");
        json.WriteString("finish_reason", finishReason);
        json.WriteNull("stop_reason");
        json.WriteEndObject();
        json.WriteEndArray();
        WriteUsage(json, usage);
        json.WriteEndObject();
    });
}

/// <summary>vLLM's legacy demo server: NDJSON lines <c>{"text": ["prompt + text so far"]}</c>, prompt included, no end marker.</summary>
internal sealed class LegacyGenerateFormat(string prompt) : ResponseFormat("", "", 0)
{
    private readonly StringBuilder _text = new(prompt);

    // starlette's StreamingResponse without a media type sends no content type; the simulator states NDJSON's.
    public override string ContentType => "application/x-ndjson";

    public override void WriteToken(IBufferWriter<byte> output, string text, string? finishReason)
    {
        _text.Append(text);
        WriteLine(output, _text.ToString());
        output.Write("\n"u8);
    }

    public override void WriteEnd(IBufferWriter<byte> output, Usage? usage)
    {
    }

    public override void WriteNonStream(IBufferWriter<byte> output, string text, string finishReason, Usage usage) =>
        WriteLine(output, _text + text);

    public override void WriteMalformed(IBufferWriter<byte> output) => output.Write("{\"text\": [\"\n"u8);

    public override void WriteStreamError(IBufferWriter<byte> output, byte[] errorBody)
    {
        output.Write(errorBody);
        output.Write("\n"u8);
    }

    // json.dumps style: a space after ':' and ','.
    private static void WriteLine(IBufferWriter<byte> output, string text)
    {
        output.Write("{\"text\": ["u8);
        output.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(text)));
        output.Write("]}"u8);
    }
}
