using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace Warmup.Core.Targets;

/// <summary>
/// The configured targets after validation. A bad target lands in <see cref="Problems"/> with a clear message and never
/// stops the others. Sources: a JSON file <c>{ "targets": [ ... ] }</c> (CLI), the "Targets" configuration section
/// (an array), and an app setting holding a JSON array (Functions: WARMUP_TARGETS).
/// </summary>
public sealed class TargetCatalog : ITargetCatalog
{
    /// <summary>Configuration section holding the targets as an array (Targets:0:name, Targets__0__name, ...).</summary>
    public const string SectionName = "Targets";

    private readonly Dictionary<string, WarmupTarget> _byName;

    public TargetCatalog(IEnumerable<WarmupTarget> targets, IEnumerable<string>? problems = null, IReadOnlyDictionary<string, string>? invalidTargets = null)
    {
        Targets = targets.ToArray();
        _byName = Targets.ToDictionary(t => t.Name, StringComparer.Ordinal);
        Problems = (problems ?? []).ToArray();
        InvalidTargets = invalidTargets ?? new Dictionary<string, string>(StringComparer.Ordinal);
    }

    public static TargetCatalog Empty { get; } = new([]);

    public IReadOnlyList<WarmupTarget> Targets { get; }

    public IReadOnlyList<string> Problems { get; }

    public IReadOnlyDictionary<string, string> InvalidTargets { get; }

    /// <summary>By name; "endpoint@deployment" gives an azureml target pinned to that deployment (<see cref="TargetDeployment"/>).</summary>
    public bool TryGet(string name, [NotNullWhen(true)] out WarmupTarget? target) =>
        _byName.TryGetValue(name, out target)
        || TargetDeployment.TryResolve(name, n => _byName.GetValueOrDefault(n), out target);

    /// <summary>Whether <paramref name="name"/> could be a target name at all ([a-z0-9-]{1,48}, optionally "@deployment").</summary>
    public static bool IsValidName(string? name) => name is not null
        && (TargetValidator.NamePattern().IsMatch(name)
            || (TargetDeployment.TrySplit(name, out var target, out var deployment)
                && TargetValidator.NamePattern().IsMatch(target) && TargetDeployment.IsValidDeployment(deployment)));

    /// <summary>
    /// Whether an auth.apiKeySetting value looks like the name of an app setting / environment variable rather than a
    /// pasted key (keys have '-', '+', '/', '=' or are long unbroken tokens). Messages never print a value that fails.
    /// </summary>
    public static bool LooksLikeSettingName(string? value) =>
        value is not null && TargetValidator.SettingNamePattern().IsMatch(value) && (value.Length < 24 || value.IndexOfAny(['_', '.', ':']) >= 0);

    /// <summary>Names of the dialects a target may use.</summary>
    public static IReadOnlyList<string> KnownDialects => TargetValidator.KnownDialects;

    /// <summary>
    /// Reads the <see cref="SectionName"/> section and the app setting <paramref name="jsonSettingName"/> (a JSON array
    /// of targets). Never throws: an unreadable setting becomes a problem, so the app still starts with the rest.
    /// </summary>
    public static TargetCatalog FromConfiguration(IConfiguration configuration, string jsonSettingName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var entries = new List<(JsonNode? Node, string Label)>();
        var problems = new List<string>();

        var section = configuration.GetSection(SectionName);
        if (section.Exists())
        {
            if (section.Value is not null && !section.GetChildren().Any())
            {
                problems.Add($"configuration section '{SectionName}' must be an array of targets, not a single value");
            }
            else
            {
                entries.AddRange(ConfigurationSectionJson.Elements(section).Select(e => (e.Node, $"target #{e.Index + 1} in section '{SectionName}'")));
            }
        }

        var json = configuration[jsonSettingName];
        if (!string.IsNullOrWhiteSpace(json))
        {
            try
            {
                var node = JsonNode.Parse(json, documentOptions: TargetJson.DocumentOptions);
                if (node is JsonArray array)
                {
                    entries.AddRange(array.Select((n, i) => (n, $"target #{i + 1} in {jsonSettingName}")));
                }
                else if (node is JsonObject obj && obj["targets"] is JsonArray inner)
                {
                    entries.AddRange(inner.Select((n, i) => (n, $"target #{i + 1} in {jsonSettingName}")));
                }
                else
                {
                    problems.Add($"app setting {jsonSettingName} must hold a JSON array of targets");
                }
            }
            catch (JsonException ex)
            {
                problems.Add($"app setting {jsonSettingName} is not valid JSON: {ex.Message}");
            }
        }

        return Build(entries, problems);
    }

    /// <summary>
    /// Loads a targets file (<c>{ "targets": [ ... ] }</c>; a bare array is accepted too). Throws
    /// <see cref="TargetConfigurationException"/> when the file cannot be used at all; per-target problems go to <see cref="Problems"/>.
    /// </summary>
    public static TargetCatalog LoadFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new TargetConfigurationException($"targets file '{path}' was not found");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TargetConfigurationException($"targets file '{path}' cannot be read: {ex.Message}", ex);
        }
        return Parse(text, $"targets file '{path}'");
    }

    /// <summary>Parses the file shape (<c>{ "targets": [ ... ] }</c> or a bare array). <paramref name="sourceName"/> names it in messages.</summary>
    public static TargetCatalog Parse(string json, string sourceName)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: TargetJson.DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new TargetConfigurationException($"{sourceName} is not valid JSON: {ex.Message}", ex);
        }

        var array = root switch
        {
            JsonArray a => a,
            JsonObject o when FindTargets(o) is JsonArray a => a,
            _ => throw new TargetConfigurationException($"{sourceName} must be a JSON object with a \"targets\" array"),
        };
        return Build(array.Select((n, i) => (n, $"target #{i + 1} in {sourceName}")), []);
    }

    private static JsonNode? FindTargets(JsonObject root) =>
        root.FirstOrDefault(p => string.Equals(p.Key, "targets", StringComparison.OrdinalIgnoreCase)).Value;

    private static TargetCatalog Build(IEnumerable<(JsonNode? Node, string Label)> entries, List<string> problems)
    {
        var valid = new List<(WarmupTarget Target, string Label)>();
        var invalid = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (node, label) in entries)
        {
            if (node is not JsonObject obj)
            {
                problems.Add($"{label}: must be a JSON object");
                continue;
            }
            TargetDocument? doc;
            try
            {
                doc = obj.Deserialize<TargetDocument>(TargetJson.Options);
            }
            catch (JsonException ex)
            {
                var name = obj.FirstOrDefault(p => string.Equals(p.Key, "name", StringComparison.OrdinalIgnoreCase)).Value is JsonValue v
                    && v.TryGetValue(out string? s) ? s : "";
                var subject = string.IsNullOrWhiteSpace(name) ? label : $"target '{name}'";
                problems.Add($"{subject}: {DescribeJsonError(ex)}");
                NoteInvalid(invalid, name, DescribeJsonError(ex));
                continue;
            }
            if (doc is null)
            {
                problems.Add($"{label}: must be a JSON object");
                continue;
            }
            if (TargetValidator.TryValidate(doc, label, out var target, out var problem))
            {
                valid.Add((target!, label));
            }
            else
            {
                problems.Add(problem!);
                NoteInvalid(invalid, doc.Name, problem![(problem!.IndexOf(": ", StringComparison.Ordinal) + 2)..]);
            }
        }

        // Names become instance ids; with two entries of one name nobody can tell which endpoint is meant, so neither loads.
        var duplicates = valid.GroupBy(v => v.Target.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).ToArray();
        foreach (var group in duplicates)
        {
            var why = $"the name is used by {group.Count()} entries ({string.Join(", ", group.Select(g => g.Label))}); names must be unique, none of them was loaded";
            problems.Add($"target '{group.Key}': {why}");
            invalid[group.Key] = why;
        }
        var duplicateNames = duplicates.Select(g => g.Key).ToHashSet(StringComparer.Ordinal);

        return new TargetCatalog(valid.Where(v => !duplicateNames.Contains(v.Target.Name)).Select(v => v.Target), problems, invalid);
    }

    // Only a name that could be looked up (a valid target name) is kept; a second bad entry of one name adds to the first.
    private static void NoteInvalid(Dictionary<string, string> invalid, string? name, string why)
    {
        name = name?.Trim();
        if (!IsValidName(name))
        {
            return;
        }

        invalid[name!] = invalid.TryGetValue(name!, out var earlier) ? $"{earlier}; {why}" : why;
    }

    private static string DescribeJsonError(JsonException ex)
    {
        // System.Text.Json says "The JSON property 'x' could not be mapped to any .NET member contained in type ..."; say it in our words.
        var path = string.IsNullOrEmpty(ex.Path) ? "" : ex.Path.TrimStart('$').TrimStart('.');
        if (ex.Message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            var start = ex.Message.IndexOf('\'');
            var end = start >= 0 ? ex.Message.IndexOf('\'', start + 1) : -1;
            var property = start >= 0 && end > start ? ex.Message[(start + 1)..end] : path;
            return $"unknown property '{property}'";
        }
        return string.IsNullOrEmpty(path) ? $"invalid value: {ex.Message}" : $"invalid value for '{path}'";
    }
}

/// <summary>Turns a configuration section into JSON so configuration and files share one parser.</summary>
internal static class ConfigurationSectionJson
{
    public static IEnumerable<(int Index, JsonNode? Node)> Elements(IConfigurationSection section) =>
        section.GetChildren()
            .Select(c => (Ok: int.TryParse(c.Key, out var i), Index: i, Child: c))
            .OrderBy(x => x.Ok ? x.Index : int.MaxValue)
            .Select((x, position) => (position, ToNode(x.Child)));

    private static JsonNode? ToNode(IConfigurationSection section)
    {
        var children = section.GetChildren().ToArray();
        if (children.Length == 0)
        {
            return section.Value is null ? null : JsonValue.Create(section.Value);
        }

        if (children.All(c => int.TryParse(c.Key, out _)))
        {
            return new JsonArray(children.OrderBy(c => int.Parse(c.Key)).Select(ToNode).ToArray());
        }

        var obj = new JsonObject();
        foreach (var child in children)
        {
            obj[child.Key] = ToNode(child);
        }

        return obj;
    }
}
