using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Warmup.Simulator.Api;

// Native stream shapes of TGI, SGLang, llama.cpp, Ollama and Triton, byte-shaped after protocols.md §3–§7 (and the
// transcripts it quotes). Each format counts its own tokens: native streams carry counts whether or not usage was asked.

/// <summary>TGI /generate_stream: <c>data:{json}</c> (no space), one event per token, the last with details; no [DONE].</summary>
internal sealed class TgiFormat(int promptTokens) : ResponseFormat("", "", 0)
{
    private readonly StringBuilder _text = new();
    private int _index;

    public override string ContentType => "text/event-stream";

    public override void WriteToken(IBufferWriter<byte> output, string text, string? finishReason)
    {
        _index++;
        _text.Append(text);
        output.Write("data:"u8);
        Json(output, json =>
        {
            json.WriteStartObject();
            json.WriteNumber("index", _index);
            json.WriteStartObject("token");
            json.WriteNumber("id", text.Length == 0 ? 2 : SimTokenizer.TokenId(text));
            // EOS arrives as an empty text: TGI sends it as the special token.
            json.WriteString("text", text.Length == 0 ? "</s>" : text);
            json.WriteNumber("logprob", -0.1);
            json.WriteBoolean("special", text.Length == 0);
            json.WriteEndObject();
            if (finishReason is null)
            {
                json.WriteNull("generated_text");
                json.WriteNull("details");
            }
            else
            {
                json.WriteString("generated_text", _text.ToString());
                json.WriteStartObject("details");
                json.WriteString("finish_reason", finishReason == "stop" ? "eos_token" : "length");
                json.WriteNumber("generated_tokens", _index);
                json.WriteNull("seed");
                json.WriteNumber("input_length", promptTokens);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        });
        output.Write(EventEnd);
    }

    public override void WriteEnd(IBufferWriter<byte> output, Usage? usage)
    {
    }

    public override void WriteNonStream(IBufferWriter<byte> output, string text, string finishReason, Usage usage) => Json(output, json =>
    {
        json.WriteStartObject();
        json.WriteString("generated_text", text);
        json.WriteEndObject();
    });

    public override void WriteStreamError(IBufferWriter<byte> output, byte[] errorBody) =>
        output.Write("data:{\"error\":\"Simulated engine error after the stream started.\",\"error_type\":\"generation\"}\n\n"u8);
}

/// <summary>SGLang native /generate: cumulative text and output_ids, cumulative meta_info.completion_tokens, then [DONE].</summary>
internal sealed class SglangFormat(string id, int promptTokens, Func<int> cachedTokens) : ResponseFormat(id, "", 0)
{
    private readonly StringBuilder _text = new();
    private readonly List<int> _ids = [];

    public override string ContentType => "text/event-stream; charset=utf-8";

    public override void WriteToken(IBufferWriter<byte> output, string text, string? finishReason)
    {
        _text.Append(text);
        _ids.Add(SimTokenizer.TokenId(text));
        Event(output, json =>
        {
            json.WriteStartObject();
            json.WriteString("text", _text.ToString());
            json.WriteStartArray("output_ids");
            foreach (var tokenId in _ids)
            {
                json.WriteNumberValue(tokenId);
            }

            json.WriteEndArray();
            json.WriteStartObject("meta_info");
            json.WriteString("id", Id);
            if (finishReason is null)
            {
                json.WriteNull("finish_reason");
            }
            else
            {
                json.WriteStartObject("finish_reason");
                json.WriteString("type", finishReason);
                json.WriteNumber(finishReason == "length" ? "length" : "matched", finishReason == "length" ? _ids.Count : 2);
                json.WriteEndObject();
            }

            json.WriteNumber("prompt_tokens", promptTokens);
            json.WriteNumber("reasoning_tokens", 0);
            json.WriteNumber("completion_tokens", _ids.Count);
            json.WriteNumber("cached_tokens", cachedTokens());
            json.WriteEndObject();
            json.WriteEndObject();
        });
    }

    public override void WriteEnd(IBufferWriter<byte> output, Usage? usage) => output.Write("data: [DONE]\n\n"u8);

    public override void WriteNonStream(IBufferWriter<byte> output, string text, string finishReason, Usage usage) => Json(output, json =>
    {
        json.WriteStartObject();
        json.WriteString("text", text);
        json.WriteStartObject("meta_info");
        json.WriteString("id", Id);
        json.WriteNumber("prompt_tokens", usage.PromptTokens);
        json.WriteNumber("completion_tokens", usage.CompletionTokens);
        json.WriteEndObject();
        json.WriteEndObject();
    });

    public override void WriteStreamError(IBufferWriter<byte> output, byte[] errorBody) =>
        output.Write("data: {\"error\":{\"message\":\"Simulated engine error after the stream started.\"}}\n\ndata: [DONE]\n\n"u8);
}

/// <summary>llama.cpp /completion: content per token, running tokens_predicted, a final stop:true event with timings; no [DONE].</summary>
internal sealed class LlamaCompletionFormat(string model, int promptTokens, long arrivalUnixNs, Func<long> now) : ResponseFormat("", model, 0)
{
    private int _predicted;
    private long _firstUnixNs;
    private string? _finish;

    public override string ContentType => "text/event-stream";

    public override void WriteToken(IBufferWriter<byte> output, string text, string? finishReason)
    {
        if (_predicted++ == 0)
        {
            _firstUnixNs = now();
        }

        _finish = finishReason;
        Event(output, json =>
        {
            json.WriteStartObject();
            json.WriteNumber("index", 0);
            json.WriteString("content", text);
            json.WriteStartArray("tokens");
            json.WriteNumberValue(SimTokenizer.TokenId(text));
            json.WriteEndArray();
            json.WriteBoolean("stop", false);
            json.WriteNumber("id_slot", 0);
            json.WriteNumber("tokens_predicted", _predicted);
            json.WriteNumber("tokens_evaluated", promptTokens);
            json.WriteEndObject();
        });
    }

    public override void WriteEnd(IBufferWriter<byte> output, Usage? usage)
    {
        var end = now();
        var promptMs = Math.Max(0, _firstUnixNs - arrivalUnixNs) / 1e6;
        var predictedMs = Math.Max(0, end - _firstUnixNs) / 1e6;
        Event(output, json =>
        {
            json.WriteStartObject();
            json.WriteNumber("index", 0);
            json.WriteString("content", "");
            json.WriteStartArray("tokens");
            json.WriteEndArray();
            json.WriteNumber("id_slot", 0);
            json.WriteBoolean("stop", true);
            json.WriteString("model", Model);
            json.WriteNumber("tokens_predicted", _predicted);
            json.WriteNumber("tokens_evaluated", promptTokens);
            json.WriteString("stop_type", _finish == "stop" ? "eos" : "limit");
            json.WriteString("stopping_word", "");
            json.WriteNumber("tokens_cached", promptTokens + _predicted);
            json.WriteStartObject("timings");
            json.WriteNumber("prompt_n", promptTokens);
            json.WriteNumber("prompt_ms", Math.Round(promptMs, 3));
            json.WriteNumber("predicted_n", _predicted);
            json.WriteNumber("predicted_ms", Math.Round(predictedMs, 3));
            json.WriteNumber("predicted_per_token_ms", _predicted == 0 ? 0 : Math.Round(predictedMs / _predicted, 3));
            json.WriteEndObject();
            json.WriteEndObject();
        });
    }

    public override void WriteNonStream(IBufferWriter<byte> output, string text, string finishReason, Usage usage) => Json(output, json =>
    {
        json.WriteStartObject();
        json.WriteString("content", text);
        json.WriteBoolean("stop", true);
        json.WriteNumber("tokens_predicted", usage.CompletionTokens);
        json.WriteNumber("tokens_evaluated", usage.PromptTokens);
        json.WriteEndObject();
    });

    public override void WriteStreamError(IBufferWriter<byte> output, byte[] errorBody) =>
        output.Write("data: {\"error\":{\"code\":500,\"message\":\"Simulated engine error after the stream started.\",\"type\":\"server_error\"}}\n\n"u8);
}

/// <summary>Ollama /api/generate and /api/chat: NDJSON, a final done:true object with counts and nanosecond durations.</summary>
internal sealed class OllamaFormat(string model, bool chat, int promptTokens, long arrivalUnixNs, Func<long> now) : ResponseFormat("", model, 0)
{
    private int _evalCount;
    private long _firstUnixNs;
    private string? _finish;

    public override string ContentType => "application/x-ndjson";

    public override void WriteToken(IBufferWriter<byte> output, string text, string? finishReason)
    {
        if (_evalCount++ == 0)
        {
            _firstUnixNs = now();
        }

        _finish = finishReason;
        Line(output, json =>
        {
            Head(json, text);
            json.WriteBoolean("done", false);
            json.WriteEndObject();
        });
    }

    public override void WriteEnd(IBufferWriter<byte> output, Usage? usage)
    {
        var end = now();
        Line(output, json =>
        {
            Head(json, "");
            json.WriteBoolean("done", true);
            json.WriteString("done_reason", _finish == "stop" ? "stop" : "length");
            json.WriteNumber("total_duration", end - arrivalUnixNs);
            json.WriteNumber("load_duration", 0);
            json.WriteNumber("prompt_eval_count", promptTokens);
            json.WriteNumber("prompt_eval_duration", Math.Max(0, _firstUnixNs - arrivalUnixNs));
            json.WriteNumber("eval_count", _evalCount);
            json.WriteNumber("eval_duration", Math.Max(0, end - _firstUnixNs));
            json.WriteEndObject();
        });
    }

    public override void WriteNonStream(IBufferWriter<byte> output, string text, string finishReason, Usage usage) => Json(output, json =>
    {
        Head(json, text);
        json.WriteBoolean("done", true);
        json.WriteString("done_reason", finishReason == "stop" ? "stop" : "length");
        json.WriteNumber("prompt_eval_count", usage.PromptTokens);
        json.WriteNumber("eval_count", usage.CompletionTokens);
        json.WriteEndObject();
    });

    public override void WriteMalformed(IBufferWriter<byte> output) => output.Write("{\"model\":\"\n"u8);

    public override void WriteStreamError(IBufferWriter<byte> output, byte[] errorBody) =>
        output.Write("{\"error\":\"Simulated engine error after the stream started.\"}\n"u8);

    private void Head(Utf8JsonWriter json, string text)
    {
        json.WriteStartObject();
        json.WriteString("model", Model);
        json.WriteString("created_at", DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        if (chat)
        {
            json.WriteStartObject("message");
            json.WriteString("role", "assistant");
            json.WriteString("content", text);
            json.WriteEndObject();
        }
        else
        {
            json.WriteString("response", text);
        }
    }

    private static void Line(IBufferWriter<byte> output, Action<Utf8JsonWriter> write)
    {
        Json(output, write);
        output.Write("\n"u8);
    }
}

/// <summary>Triton generate_stream (vLLM backend): delta text_output and num_output_tokens per response; no end marker.</summary>
internal sealed class TritonFormat(string model) : ResponseFormat("", model, 0)
{
    public override string ContentType => "text/event-stream; charset=utf-8";

    public override void WriteToken(IBufferWriter<byte> output, string text, string? finishReason) => Event(output, json =>
    {
        json.WriteStartObject();
        json.WriteString("model_name", Model);
        json.WriteString("model_version", "1");
        json.WriteNumber("num_output_tokens", 1);
        json.WriteString("text_output", text);
        json.WriteEndObject();
    });

    public override void WriteEnd(IBufferWriter<byte> output, Usage? usage)
    {
    }

    public override void WriteNonStream(IBufferWriter<byte> output, string text, string finishReason, Usage usage) => Json(output, json =>
    {
        json.WriteStartObject();
        json.WriteString("model_name", Model);
        json.WriteString("model_version", "1");
        json.WriteString("text_output", text);
        json.WriteEndObject();
    });

    public override void WriteStreamError(IBufferWriter<byte> output, byte[] errorBody) =>
        output.Write("data: {\"error\":\"Simulated engine error after the stream started.\"}\n\n"u8);
}
