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
/// the route and nothing in a request can change where traffic goes. Presets, the plan object and the threshold go
/// through the same code as plan files and the CLI (<see cref="PlanPresets.Find"/>, <see cref="PlanFile"/>,
/// <see cref="PlanValidator"/>, <see cref="VerdictThreshold"/>), so the rules are the same everywhere: a step above the
/// target's concurrency limit is clipped to it with a note in the report, never refused.
/// </summary>
public static class ManualRequestParser
{
    /// <summary>Returns the request, or null with <paramref name="error"/> set to one clear sentence.</summary>
    public static ManualWarmupRequest? Parse(BinaryData body, WarmupTarget target, out string? error)
    {
        error = null;
        var plan = PlanSpec.FromPreset(PlanPresets.Default);
        var threshold = Verdict.DefaultThreshold;
        if (body.ToMemory().IsEmpty || body.ToMemory().Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return new ManualWarmupRequest(plan, threshold);
        }

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
                        {
                            return null;
                        }

                        plan = parsed;
                        break;
                    case "threshold":
                        if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetDouble(out threshold))
                        {
                            error = VerdictThreshold.Rejected(EchoedInput.Truncate(property.Value.GetRawText()));
                            return null;
                        }
                        if (VerdictThreshold.Problem(threshold) is { } problem)
                        {
                            error = problem;
                            return null;
                        }
                        break;
                    default:
                        error = $"unknown field '{EchoedInput.Truncate(property.Name)}': only \"plan\" and \"threshold\" are accepted; warm-ups go only to the configured target named in the route";
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
            if (PlanPresets.Find(value.GetString()) is { } preset)
            {
                return PlanSpec.FromPreset(preset);
            }

            error = $"unknown plan '{EchoedInput.Truncate(value.GetString()!)}'; use {string.Join(", ", PlanPresets.Names)}, or {{\"name\":...,\"steps\":[...]}}";
            return null;
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            error = "plan must be a preset name or an object {\"name\":...,\"steps\":[...]}";
            return null;
        }

        try
        {
            var spec = PlanFile.Parse(value, "plan");
            // The context window is not known before the server answers: the engine checks it again then.
            var check = PlanValidator.Check(new WarmupPlan(spec.Preset, spec.Steps!), target, maxContext: null);
            if (!check.IsValid)
            {
                throw new PlanValidationException(check.Problems.Select(p => $"plan: {p}").ToList());
            }

            return spec;
        }
        catch (PlanValidationException ex)
        {
            error = string.Join("; ", ex.Problems);
            return null;
        }
    }
}
