using System.Text.Json;
using Warmup.Core.Analysis;
using Warmup.Core.Planning;
using Warmup.Core.Targets;

namespace Warmup.Functions.Triggers;

/// <summary>The parsed body of <c>POST /api/warmups/{target}</c>.</summary>
public sealed record ManualWarmupRequest(PlanSpec Plan, double Threshold);

/// <summary>
/// Parses <c>{"plan":"full|light|seed"}</c> or <c>{"plan":{"name":..,"steps":[..]}}</c> plus an optional "threshold".
/// Only these fields exist: anything else (a URL, say) is refused, because the target is the configured one named in
/// the route and nothing in a request can change where traffic goes.
/// </summary>
public static class ManualRequestParser
{
    public static readonly IReadOnlyList<string> Presets = PlanPresets.Names;
    public const int MaxSteps = 64;
    public const int MaxPromptTokens = 1_000_000;
    public const int MaxOutputTokens = 32_768;
    public const double MinThreshold = 1.0;
    public const double MaxThreshold = 10.0;

    /// <summary>Returns the request, or null with <paramref name="error"/> set to one clear sentence.</summary>
    public static ManualWarmupRequest? Parse(BinaryData body, WarmupTarget target, out string? error)
    {
        error = null;
        var plan = PlanSpec.FromPreset(PlanPresets.Default);
        double threshold = Verdict.DefaultThreshold;
        if (body.ToMemory().IsEmpty || body.ToMemory().Span.Trim(" \t\r\n"u8).IsEmpty)
            return new ManualWarmupRequest(plan, threshold);

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToMemory());
        }
        catch (JsonException ex)
        {
            error = $"the body is not valid JSON ({ex.Message})";
            return null;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "the body must be a JSON object such as {\"plan\":\"light\"}";
                return null;
            }
            foreach (var property in root.EnumerateObject())
            {
                switch (property.Name.ToLowerInvariant())
                {
                    case "plan":
                        if (ReadPlan(property.Value, target, out error) is not { } parsed)
                            return null;
                        plan = parsed;
                        break;
                    case "threshold":
                        if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetDouble(out threshold) ||
                            threshold < MinThreshold || threshold > MaxThreshold)
                        {
                            error = $"threshold must be a number between {MinThreshold} and {MaxThreshold} (first-user-like TTFT / steady TTFT)";
                            return null;
                        }
                        break;
                    default:
                        error = $"unknown field '{property.Name}': only \"plan\" and \"threshold\" are accepted; warm-ups go only to the configured target named in the route";
                        return null;
                }
            }
        }
        return new ManualWarmupRequest(plan, threshold);
    }

    private static PlanSpec? ReadPlan(JsonElement value, WarmupTarget target, out string? error)
    {
        error = null;
        if (value.ValueKind == JsonValueKind.String)
        {
            string name = value.GetString()!.Trim().ToLowerInvariant();
            if (Presets.Contains(name))
                return PlanSpec.FromPreset(name);
            error = $"unknown plan '{EchoedInput.Truncate(value.GetString()!)}'; use {string.Join(", ", Presets)}, or {{\"name\":...,\"steps\":[...]}}";
            return null;
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            error = "plan must be a preset name or an object {\"name\":...,\"steps\":[...]}";
            return null;
        }

        string? planName = null;
        JsonElement? steps = null;
        foreach (var property in value.EnumerateObject())
        {
            switch (property.Name.ToLowerInvariant())
            {
                case "name" when property.Value.ValueKind == JsonValueKind.String:
                    planName = property.Value.GetString()!.Trim();
                    break;
                case "steps":
                    steps = property.Value;
                    break;
                default:
                    error = $"unknown plan field '{property.Name}'; a plan has \"name\" (string) and \"steps\"";
                    return null;
            }
        }
        if (string.IsNullOrEmpty(planName) || planName.Length > 64)
        {
            error = "plan.name is required (1 to 64 characters)";
            return null;
        }
        if (steps is not { ValueKind: JsonValueKind.Array } array || array.GetArrayLength() == 0 || array.GetArrayLength() > MaxSteps)
        {
            error = $"plan.steps must be an array of 1 to {MaxSteps} steps";
            return null;
        }

        var parsed = new List<PlanStep>();
        int index = 0;
        foreach (var step in array.EnumerateArray())
        {
            if (ReadStep(step, index++, target, out error) is not { } planStep)
                return null;
            parsed.Add(planStep);
        }
        return PlanSpec.FromSteps(planName, parsed);
    }

    private static PlanStep? ReadStep(JsonElement step, int index, WarmupTarget target, out string? error)
    {
        error = null;
        string where = $"plan.steps[{index}]";
        if (step.ValueKind != JsonValueKind.Object)
        {
            error = $"{where} must be an object {{\"promptTokens\":..,\"maxOutputTokens\":..,\"concurrency\":..}}";
            return null;
        }
        int? prompt = null, output = null, concurrency = null;
        string? adapter = null;
        foreach (var property in step.EnumerateObject())
        {
            switch (property.Name.ToLowerInvariant())
            {
                case "prompttokens": prompt = ReadInt(property.Value); break;
                case "maxoutputtokens": output = ReadInt(property.Value); break;
                case "concurrency": concurrency = ReadInt(property.Value); break;
                case "adapter" when property.Value.ValueKind is JsonValueKind.String or JsonValueKind.Null:
                    adapter = property.Value.GetString();
                    break;
                default:
                    error = $"{where}: unknown or invalid field '{property.Name}'";
                    return null;
            }
        }
        if (prompt is not (>= 1 and <= MaxPromptTokens))
            error = $"{where}.promptTokens must be a whole number between 1 and {MaxPromptTokens}";
        else if (output is not (>= 1 and <= MaxOutputTokens))
            error = $"{where}.maxOutputTokens must be a whole number between 1 and {MaxOutputTokens}";
        else if (concurrency is null || concurrency < 1 || concurrency > target.Limits.MaxConcurrency)
            error = $"{where}.concurrency must be a whole number between 1 and {target.Limits.MaxConcurrency} (the target's limits.maxConcurrency)";
        else if (adapter is not null && !target.Adapters.Contains(adapter, StringComparer.Ordinal))
            error = target.Adapters.Count == 0
                ? $"{where}.adapter '{EchoedInput.Truncate(adapter)}': target '{target.Name}' serves no adapters"
                : $"{where}.adapter '{EchoedInput.Truncate(adapter)}' is not served by target '{target.Name}' ({string.Join(", ", target.Adapters)})";
        return error is null ? new PlanStep(prompt!.Value, output!.Value, concurrency!.Value, adapter) : null;
    }

    private static int? ReadInt(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n) ? n : null;

}
