using System.Text.Json;
using static Warmup.Simulator.Api.GenerationRequestParser;

namespace Warmup.Simulator.Api;

/// <summary>
/// Reads the native request bodies of TGI, SGLang, llama.cpp, Ollama and Triton (protocols.md §3–§7) into the one
/// <see cref="GenerationRequest"/> the engine runs, so every family shares the same cold-start model.
/// </summary>
internal static class NativeRequestParser
{
    public static GenerationRequest Parse(WireKind kind, JsonElement body, SimulatorProfile profile) => kind switch
    {
        WireKind.TgiGenerateStream => Tgi(body, profile),
        WireKind.SglangGenerate => Sglang(body, profile),
        WireKind.LlamaCompletion => LlamaCpp(body, profile),
        WireKind.OllamaGenerate or WireKind.OllamaChat => Ollama(kind, body, profile),
        WireKind.TritonGenerateStream => Triton(body, profile),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a native request kind"),
    };

    /// <summary>TGI: inputs + parameters; no ignore_eos or min_new_tokens (exact length cannot be forced); temperature 0 is a 422 in TGI.</summary>
    private static GenerationRequest Tgi(JsonElement body, SimulatorProfile profile)
    {
        var prompt = OptionalString(body, "inputs") ?? throw new BadRequestException("Input validation error: `inputs` is required");
        var parameters = body.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        if (parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("temperature", out var t)
            && t.ValueKind == JsonValueKind.Number && t.GetDouble() <= 0)
        {
            throw new BadRequestException("Input validation error: `temperature` must be strictly positive");
        }

        var max = parameters.ValueKind == JsonValueKind.Object ? OptionalInt(parameters, "max_new_tokens") : null;
        var adapter = parameters.ValueKind == JsonValueKind.Object ? OptionalString(parameters, "adapter_id") : null;
        return Build(WireKind.TgiGenerateStream, adapter ?? profile.Model, prompt, max ?? profile.DefaultMaxTokens, 0, false, stream: true);
    }

    /// <summary>SGLang: text + sampling_params (max_new_tokens default 128, min_new_tokens, ignore_eos), lora_path.</summary>
    private static GenerationRequest Sglang(JsonElement body, SimulatorProfile profile)
    {
        var prompt = OptionalString(body, "text") ?? throw new BadRequestException("Either text or input_ids should be provided.");
        var sampling = body.TryGetProperty("sampling_params", out var s) && s.ValueKind == JsonValueKind.Object ? s : default;
        var isObject = sampling.ValueKind == JsonValueKind.Object;
        var max = (isObject ? OptionalInt(sampling, "max_new_tokens") : null) ?? 128;
        var min = (isObject ? OptionalInt(sampling, "min_new_tokens") : null) ?? 0;
        return Build(WireKind.SglangGenerate, OptionalString(body, "lora_path") ?? profile.Model, prompt, max, min,
            isObject && ReadBool(sampling, "ignore_eos"), ReadBool(body, "stream"));
    }

    /// <summary>llama.cpp /completion: prompt, n_predict (−1 = until EOS or context), ignore_eos; no min_tokens.</summary>
    private static GenerationRequest LlamaCpp(JsonElement body, SimulatorProfile profile)
    {
        var prompt = OptionalString(body, "prompt") ?? throw new BadRequestException("\"prompt\" must be provided");
        var max = OptionalInt(body, "n_predict") is { } n and > 0 ? n : profile.DefaultMaxTokens;
        return Build(WireKind.LlamaCompletion, profile.Model, prompt, max, 0, ReadBool(body, "ignore_eos"), ReadBool(body, "stream"));
    }

    /// <summary>Ollama: model (name or name:latest), prompt or messages, options.num_predict, stream default true.</summary>
    private static GenerationRequest Ollama(WireKind kind, JsonElement body, SimulatorProfile profile)
    {
        var model = OptionalString(body, "model") ?? throw new BadRequestException("model is required");
        if (model.EndsWith(":latest", StringComparison.Ordinal))
        {
            model = model[..^":latest".Length];
        }

        var (text, ids) = kind == WireKind.OllamaChat ? ReadMessages(body) : PromptOf(OptionalString(body, "prompt") ?? "");
        var options = body.TryGetProperty("options", out var o) && o.ValueKind == JsonValueKind.Object ? o : default;
        var max = (options.ValueKind == JsonValueKind.Object ? OptionalInt(options, "num_predict") : null) is { } n and > 0 ? n : profile.DefaultMaxTokens;
        var stream = !body.TryGetProperty("stream", out var st) || st.ValueKind != JsonValueKind.False;
        return new GenerationRequest
        {
            Kind = kind,
            Model = model,
            PromptText = text,
            PromptTokenIds = ids,
            MaxTokens = max,
            Stream = stream,
        };
    }

    /// <summary>
    /// Triton generate extension, vLLM backend: text_input, stream (an input tensor), sampling_parameters as a JSON
    /// string; TensorRT-LLM style top-level max_tokens is read too. The model comes from the URL.
    /// </summary>
    private static GenerationRequest Triton(JsonElement body, SimulatorProfile profile)
    {
        var prompt = OptionalString(body, "text_input") ?? throw new BadRequestException("expected 'text_input' in the request");
        var max = OptionalIntOrString(body, "max_tokens");
        var min = 0;
        var ignoreEos = false;
        if (body.TryGetProperty("sampling_parameters", out var sp) && sp.ValueKind == JsonValueKind.String)
        {
            try
            {
                using var parameters = JsonDocument.Parse(sp.GetString()!);
                max = OptionalInt(parameters.RootElement, "max_tokens") ?? max;
                min = OptionalInt(parameters.RootElement, "min_tokens") ?? 0;
                ignoreEos = ReadBool(parameters.RootElement, "ignore_eos");
            }
            catch (JsonException ex)
            {
                throw new BadRequestException($"sampling_parameters is not valid JSON: {ex.Message}");
            }
        }

        return Build(WireKind.TritonGenerateStream, profile.Model, prompt, max ?? profile.DefaultMaxTokens, min, ignoreEos, ReadBool(body, "stream"));
    }

    private static int? OptionalIntOrString(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && int.TryParse(v.GetString(), out var n) ? n : OptionalInt(obj, name);

    private static (string, int[]) PromptOf(string text) => (text, SimTokenizer.Encode(text));

    private static GenerationRequest Build(WireKind kind, string model, string prompt, int max, int min, bool ignoreEos, bool stream)
    {
        if (max < 1)
        {
            throw new BadRequestException($"max tokens must be at least 1, got {max}.");
        }

        return new GenerationRequest
        {
            Kind = kind,
            Model = model,
            PromptText = prompt,
            PromptTokenIds = SimTokenizer.Encode(prompt),
            MaxTokens = max,
            MinTokens = Math.Min(min, max),
            IgnoreEos = ignoreEos,
            Stream = stream,
        };
    }
}
