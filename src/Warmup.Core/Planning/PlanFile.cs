using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Warmup.Core.Planning;

/// <summary>
/// The one parser of an explicit plan, whether it comes from a file (CLI --plan), or as the "plan" object of
/// <c>POST /api/warmups/{target}</c>:
/// <code>{ "name": "my-plan", "steps": [ { "promptTokens": 512, "maxOutputTokens": 16, "concurrency": 4, "adapter": null } ] }</code>
/// Every problem comes back as one <see cref="PlanValidationException"/> naming the source, and the line and position
/// for bad JSON or the step number for a bad value. Limits that depend on the target (context window, concurrency
/// limit, adapters, token budget) are <see cref="PlanValidator"/>'s: callers that know the target check there at
/// once, and <see cref="PlanPresets.Resolve"/> checks again with the server's context window.
/// </summary>
public static partial class PlanFile
{
    /// <summary>Longest plan name.</summary>
    public const int MaxNameLength = 64;

    /// <summary>Most steps a written plan may have (the presets build theirs and are bounded by the token budget).</summary>
    public const int MaxSteps = 64;

    /// <summary>Longest prompt a written step may ask for; the context window bounds it again at run time.</summary>
    public const int MaxPromptTokens = 1_000_000;

    /// <summary>Most output tokens a written step may ask for.</summary>
    public const int MaxOutputTokens = 32_768;

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static PlanSpec Load(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PlanValidationException($"{path}: cannot read the plan file: {e.Message}");
        }

        return Parse(json, path);
    }

    /// <summary>Parses the "plan" object of a request body that is already JSON.</summary>
    public static PlanSpec Parse(JsonElement plan, string source = "plan") => Parse(plan.GetRawText(), source);

    /// <param name="source">Names the plan in messages (the file path).</param>
    public static PlanSpec Parse(string json, string source = "plan")
    {
        PlanFileDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<PlanFileDocument>(json, Options);
        }
        catch (JsonException e)
        {
            throw new PlanValidationException(Describe(source, e));
        }

        if (document is null)
        {
            throw new PlanValidationException($"{source}: expected a JSON object with \"name\" and \"steps\", got null");
        }

        var problems = new List<string>();
        var name = document.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength)
        {
            problems.Add($"\"name\" is required (1 to {MaxNameLength} characters)");
        }

        var steps = new List<PlanStep>();
        if (document.Steps is null || document.Steps.Count == 0 || document.Steps.Count > MaxSteps)
        {
            problems.Add($"\"steps\" must list 1 to {MaxSteps} steps");
        }
        else
        {
            for (var i = 0; i < document.Steps.Count; i++)
            {
                var step = document.Steps[i];
                var missing = new[]
                {
                    (Name: "promptTokens", Value: step?.PromptTokens),
                    (Name: "maxOutputTokens", Value: step?.MaxOutputTokens),
                    (Name: "concurrency", Value: step?.Concurrency),
                }.Where(f => f.Value is null).Select(f => f.Name).ToList();
                if (missing.Count > 0)
                {
                    problems.Add($"step {i + 1}: {string.Join(", ", missing)} {(missing.Count == 1 ? "is" : "are")} required");
                    continue;
                }

                var planStep = new PlanStep(step!.PromptTokens!.Value, step.MaxOutputTokens!.Value, step.Concurrency!.Value, step.Adapter);
                if (planStep.PromptTokens > MaxPromptTokens)
                {
                    problems.Add($"step {i + 1}: promptTokens must be at most {MaxPromptTokens}, got {planStep.PromptTokens}");
                }

                if (planStep.MaxOutputTokens > MaxOutputTokens)
                {
                    problems.Add($"step {i + 1}: maxOutputTokens must be at most {MaxOutputTokens}, got {planStep.MaxOutputTokens}");
                }

                steps.Add(planStep);
            }

            if (problems.Count == 0)
            {
                problems.AddRange(PlanValidator.CheckShape(steps));
            }
        }

        if (problems.Count > 0)
        {
            throw new PlanValidationException(problems.Select(p => $"{source}: {p}").ToList());
        }

        return PlanSpec.FromSteps(name!, steps);
    }

    private static string Describe(string source, JsonException e)
    {
        // JsonException positions are zero-based; people count lines and columns from 1.
        var where = e.LineNumber is { } line
            ? $" at line {line + 1}, position {(e.BytePositionInLine ?? 0) + 1}"
            : string.Empty;
        var reason = e.Message;
        var cut = reason.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0)
        {
            reason = reason[..cut];
        }

        // The serializer names its own (internal) type; the reader only needs the field.
        if (UnmappedProperty().Match(reason) is { Success: true } unmapped)
        {
            reason = $"unknown field '{unmapped.Groups["name"].Value}' (a plan has \"name\" and \"steps\"; a step has promptTokens, maxOutputTokens, concurrency, adapter)";
        }

        return $"{source}: invalid plan JSON{where}: {reason}";
    }

    [GeneratedRegex("^The JSON property '(?<name>.*)' could not be mapped", RegexOptions.CultureInvariant)]
    private static partial Regex UnmappedProperty();

    private sealed record PlanFileDocument(string? Name, IReadOnlyList<PlanFileStep?>? Steps);

    private sealed record PlanFileStep(int? PromptTokens, int? MaxOutputTokens, int? Concurrency, string? Adapter);
}
