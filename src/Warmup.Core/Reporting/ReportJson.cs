using System.Text.Json;
using System.Text.Json.Serialization;

namespace Warmup.Core.Reporting;

/// <summary>
/// The report's JSON form (schema <see cref="WarmupReport.CurrentSchema"/>): camelCase names, enums as strings,
/// indented, nulls written (a field is always present, so readers need not guess). Error-count keys are kept as they
/// are ("HttpError:503").
/// </summary>
public static class ReportJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static string Serialize(WarmupReport report) => JsonSerializer.Serialize(report, Options);

    /// <exception cref="JsonException">Not a report document.</exception>
    public static WarmupReport Deserialize(string json)
        => JsonSerializer.Deserialize<WarmupReport>(json, Options)
           ?? throw new JsonException("expected a warm-up report object, got null");

    /// <summary>Writes the report to <paramref name="path"/> (creating its folder), replacing the file only once fully written.</summary>
    public static async Task WriteAsync(WarmupReport report, string path, CancellationToken cancellationToken = default)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + ".tmp";
        await using (var stream = File.Create(temporary))
        {
            await JsonSerializer.SerializeAsync(stream, report, Options, cancellationToken).ConfigureAwait(false);
        }

        File.Move(temporary, full, overwrite: true);
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
