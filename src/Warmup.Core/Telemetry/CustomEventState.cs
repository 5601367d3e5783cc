using System.Collections;
using System.Globalization;
using System.Text;

namespace Warmup.Core.Telemetry;

/// <summary>
/// Log state of one custom event: its name under <see cref="EventNameAttribute"/> (which the Azure Monitor
/// exporter turns into a customEvents row), then scalar attributes. The OpenTelemetry logger reads a state that is
/// a list of key/value pairs as the record's attributes, so there is no template to keep in sync with the fields.
/// </summary>
internal sealed class CustomEventState : IReadOnlyList<KeyValuePair<string, object?>>
{
    public const string EventNameAttribute = "microsoft.custom_event.name";

    private readonly List<KeyValuePair<string, object?>> _attributes;

    public CustomEventState(string eventName)
    {
        EventName = eventName;
        _attributes = [new(EventNameAttribute, eventName)];
    }

    public string EventName { get; }

    public int Count => _attributes.Count;

    public KeyValuePair<string, object?> this[int index] => _attributes[index];

    /// <summary>Adds a scalar; nulls are left out so absent values stay absent in customDimensions.</summary>
    public CustomEventState Add(string key, object? value)
    {
        if (value is not null)
        {
            _attributes.Add(new(key, value is double d ? Round(d) : value));
        }

        return this;
    }

    /// <summary>Formats a one-line message for console/file loggers; Azure Monitor drops it for events.</summary>
    public static string Format(CustomEventState state, Exception? _)
    {
        var text = new StringBuilder(state.EventName);
        for (var i = 1; i < state._attributes.Count; i++)
        {
            var (key, value) = state._attributes[i];
            text.Append(' ').Append(key).Append('=').Append(Convert.ToString(value, CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _attributes.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // Sub-microsecond digits are noise from the clock, and they bloat every stringified dimension.
    internal static double Round(double value) => double.IsFinite(value) ? Math.Round(value, 3) : 0;
}
