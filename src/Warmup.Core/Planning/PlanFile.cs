using System.Text.Json;
using System.Text.Json.Serialization;

namespace Warmup.Core.Planning;

/// <summary>
/// Reads a plan file:
/// <code>{ "name": "my-plan", "steps": [ { "promptTokens": 512, "maxOutputTokens": 16, "concurrency": 4, "adapter": null } ] }</code>
/// Every problem comes back as one <see cref="PlanValidationException"/> naming the file, and the line and position
/// for bad JSON or the step number for a bad value. Limits that depend on the target (context window, concurrency
/// limit, token budget) are checked later by <see cref="PlanPresets.Resolve"/>.
/// </summary>
public static class PlanFile
{
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
        if (string.IsNullOrWhiteSpace(document.Name))
        {
            problems.Add("\"name\" is required");
        }

        var steps = new List<PlanStep>();
        if (document.Steps is null || document.Steps.Count == 0)
        {
            problems.Add("\"steps\" must list at least one step");
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

                steps.Add(new PlanStep(step!.PromptTokens!.Value, step.MaxOutputTokens!.Value, step.Concurrency!.Value, step.Adapter));
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

        return PlanSpec.FromSteps(document.Name!, steps);
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

        return $"{source}: invalid plan JSON{where}: {reason}";
    }

    private sealed record PlanFileDocument(string? Name, IReadOnlyList<PlanFileStep?>? Steps);

    private sealed record PlanFileStep(int? PromptTokens, int? MaxOutputTokens, int? Concurrency, string? Adapter);
}
