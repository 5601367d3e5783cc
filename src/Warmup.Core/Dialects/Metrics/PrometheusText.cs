using System.Globalization;

namespace Warmup.Core.Dialects.Metrics;

/// <summary>One sample line of the Prometheus text exposition format.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// Parses the Prometheus text exposition format 0.0.4 (and the OpenMetrics subset servers emit on the same endpoint).
/// Lenient on purpose: a line it cannot read is skipped, so one odd metric never hides the counters we need.
/// </summary>
public sealed class PrometheusText
{
    private static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>();

    private readonly Dictionary<string, List<PrometheusSample>> _byName;

    private PrometheusText(Dictionary<string, List<PrometheusSample>> byName) => _byName = byName;

    public IEnumerable<PrometheusSample> Samples => _byName.Values.SelectMany(s => s);

    public static PrometheusText Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var byName = new Dictionary<string, List<PrometheusSample>>(StringComparer.Ordinal);
        foreach (var rawLine in text.AsSpan().EnumerateLines())
        {
            var line = rawLine.Trim();
            if (line.IsEmpty || line[0] == '#')
            {
                continue;
            }

            if (TryParseSample(line, out var sample))
            {
                if (!byName.TryGetValue(sample.Name, out var list))
                {
                    byName[sample.Name] = list = [];
                }

                list.Add(sample);
            }
        }

        return new PrometheusText(byName);
    }

    public bool Contains(string name) => _byName.ContainsKey(name);

    public IReadOnlyList<PrometheusSample> Get(string name) =>
        _byName.TryGetValue(name, out var list) ? list : [];

    /// <summary>Sum over every label set of <paramref name="name"/>, or null when the metric is absent.</summary>
    public double? Sum(string name) =>
        _byName.TryGetValue(name, out var list) ? list.Sum(s => s.Value) : null;

    /// <summary>Sum of the first metric of <paramref name="names"/> that is present (newer names first), or null.</summary>
    public double? SumFirst(params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            if (Sum(name) is { } value)
            {
                return value;
            }
        }

        return null;
    }

    internal static bool TryParseSample(ReadOnlySpan<char> line, out PrometheusSample sample)
    {
        sample = null!;
        var nameEnd = line.IndexOfAny('{', ' ', '\t');
        if (nameEnd <= 0)
        {
            return false;
        }

        var name = line[..nameEnd].ToString();
        var rest = line[nameEnd..];
        var labels = NoLabels;
        if (rest[0] == '{')
        {
            if (!TryParseLabels(rest, out var parsed, out var consumed))
            {
                return false;
            }

            labels = parsed;
            rest = rest[consumed..];
        }

        rest = rest.TrimStart();
        var valueEnd = rest.IndexOfAny(' ', '\t');
        var valueText = valueEnd < 0 ? rest : rest[..valueEnd];
        if (!TryParseValue(valueText, out var value))
        {
            return false;
        }

        sample = new PrometheusSample(name, labels, value);
        return true;
    }

    private static bool TryParseValue(ReadOnlySpan<char> text, out double value)
    {
        switch (text)
        {
            case "+Inf" or "Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            case "NaN":
                value = double.NaN;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }

    /// <summary>Reads <c>{a="x",b="y\"z"}</c>; label values may hold escaped quotes, backslashes, newlines, commas and braces.</summary>
    private static bool TryParseLabels(ReadOnlySpan<char> text, out IReadOnlyDictionary<string, string> labels, out int consumed)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        labels = result;
        consumed = 0;
        var i = 1;
        while (true)
        {
            while (i < text.Length && (text[i] == ' ' || text[i] == ','))
            {
                i++;
            }

            if (i >= text.Length)
            {
                return false;
            }

            if (text[i] == '}')
            {
                consumed = i + 1;
                return true;
            }

            var eq = text[i..].IndexOf('=');
            if (eq <= 0 || i + eq + 1 >= text.Length || text[i + eq + 1] != '"')
            {
                return false;
            }

            var labelName = text.Slice(i, eq).Trim().ToString();
            i += eq + 2;
            var value = new System.Text.StringBuilder();
            while (true)
            {
                if (i >= text.Length)
                {
                    return false;
                }

                var c = text[i++];
                if (c == '"')
                {
                    break;
                }

                if (c == '\\' && i < text.Length)
                {
                    var escaped = text[i++];
                    value.Append(escaped == 'n' ? '\n' : escaped);
                    continue;
                }

                value.Append(c);
            }

            result[labelName] = value.ToString();
        }
    }
}
