using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Messaging;
using Azure.Messaging.EventGrid;
using Azure.Messaging.EventGrid.SystemEvents;

namespace Warmup.Functions.Events;

/// <summary>
/// Parses Event Grid deliveries with Azure.Messaging.EventGrid: webhook bodies (Event Grid schema arrays, CloudEvents
/// structured, batched or in binary content mode) and Storage queue messages (one event, raw or base64). Anything that is not an event throws
/// <see cref="MalformedEventException"/> with a message that says what is wrong.
/// </summary>
public static class DeploymentEventReader
{
    public const string CloudEventsContentType = "application/cloudevents+json";
    public const string CloudEventsBatchContentType = "application/cloudevents-batch+json";

    /// <summary>Reads a webhook body. The content type decides the schema when it is a CloudEvents type; otherwise the JSON does.</summary>
    public static IReadOnlyList<DeploymentEvent> ReadBody(BinaryData body, string? contentType)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (body.ToMemory().IsEmpty)
        {
            throw new MalformedEventException("the request body is empty; expected an Event Grid or CloudEvents JSON payload");
        }

        string schema;
        using (var document = ParseJson(body, "request body"))
        {
            var declaredCloudEvents = contentType is not null &&
                (contentType.StartsWith(CloudEventsContentType, StringComparison.OrdinalIgnoreCase) ||
                 contentType.StartsWith(CloudEventsBatchContentType, StringComparison.OrdinalIgnoreCase));
            schema = declaredCloudEvents || LooksLikeCloudEvents(document.RootElement) ? EventSchemas.CloudEvents : EventSchemas.EventGrid;
        }
        return schema == EventSchemas.CloudEvents ? ReadCloudEvents(body) : ReadEventGridEvents(body);
    }

    /// <summary>A request with this header is a CloudEvent in binary content mode: attributes in ce-* headers, the body is the data.</summary>
    public const string BinaryModeHeader = "ce-specversion";

    /// <summary>
    /// Reads a binary-mode CloudEvent (<paramref name="header"/> gives a request header's value or null). It is rebuilt
    /// as the structured event it stands for and parsed the same way, so both modes mean exactly the same.
    /// </summary>
    public static IReadOnlyList<DeploymentEvent> ReadBinaryCloudEvent(BinaryData body, string? contentType, Func<string, string?> header)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(header);
        var structured = new JsonObject();
        foreach (var attribute in (string[])["specversion", "type", "source", "id"])
        {
            var value = header("ce-" + attribute);
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new MalformedEventException($"binary-mode CloudEvent lacks the ce-{attribute} header");
            }

            structured[attribute] = value.Trim();
        }
        foreach (var attribute in (string[])["subject", "time"])
        {
            if (header("ce-" + attribute) is { Length: > 0 } value)
            {
                structured[attribute] = value.Trim();
            }
        }
        if (!string.IsNullOrWhiteSpace(contentType))
        {
            structured["datacontenttype"] = contentType;
        }

        if (!body.ToMemory().IsEmpty)
        {
            if (TryParseJsonData(body, contentType) is { } json)
            {
                structured["data"] = json;
            }
            else
            {
                structured["data_base64"] = Convert.ToBase64String(body.ToMemory().Span);
            }
        }
        return ReadCloudEvents(BinaryData.FromString(structured.ToJsonString()));
    }

    private static JsonNode? TryParseJsonData(BinaryData body, string? contentType)
    {
        if (contentType is not null && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(body.ToMemory().Span);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads one Storage queue message. Event Grid writes the event JSON; depending on the queue's encoding the bound
    /// string is that JSON or its base64 form, so both are accepted.
    /// </summary>
    public static IReadOnlyList<DeploymentEvent> ReadQueueMessage(string message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            throw new MalformedEventException("the queue message is empty; expected one Event Grid or CloudEvents event as JSON");
        }

        var trimmed = message.Trim();
        var json = trimmed[0] is '{' or '[' ? trimmed : DecodeBase64Json(trimmed);
        return ReadBody(BinaryData.FromString(json), contentType: null);
    }

    private static string DecodeBase64Json(string text)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new MalformedEventException("the queue message is neither JSON nor base64-encoded JSON");
        }
        var decoded = Encoding.UTF8.GetString(bytes).Trim().TrimStart('\uFEFF');
        if (decoded.Length == 0 || decoded[0] is not ('{' or '['))
        {
            throw new MalformedEventException("the queue message is base64 but does not decode to JSON");
        }

        return decoded;
    }

    private static JsonDocument ParseJson(BinaryData body, string what)
    {
        try
        {
            return JsonDocument.Parse(body.ToMemory());
        }
        catch (JsonException ex)
        {
            throw new MalformedEventException($"the {what} is not valid JSON ({ex.Message})", ex);
        }
    }

    // CloudEvents carry "specversion"; Event Grid schema events carry "eventType" and "dataVersion" instead.
    private static bool LooksLikeCloudEvents(JsonElement root)
    {
        var first = root;
        if (root.ValueKind == JsonValueKind.Array)
        {
            if (root.GetArrayLength() == 0)
            {
                return false;
            }

            first = root[0];
        }
        if (first.ValueKind != JsonValueKind.Object)
        {
            throw new MalformedEventException($"expected a JSON object or an array of objects, found {first.ValueKind}");
        }

        return first.TryGetProperty("specversion", out _);
    }

    private static IReadOnlyList<DeploymentEvent> ReadEventGridEvents(BinaryData body)
    {
        EventGridEvent[] events;
        try
        {
            events = EventGridEvent.ParseMany(body);
        }
        catch (Exception ex) when (ex is ArgumentException or JsonException or FormatException or InvalidOperationException)
        {
            throw new MalformedEventException($"not a valid Event Grid schema event ({ex.Message})", ex);
        }
        return events.Select(FromEventGrid).ToArray();
    }

    private static IReadOnlyList<DeploymentEvent> ReadCloudEvents(BinaryData body)
    {
        CloudEvent[] events;
        try
        {
            events = CloudEvent.ParseMany(body);
        }
        catch (Exception ex) when (ex is ArgumentException or JsonException or FormatException or InvalidOperationException)
        {
            throw new MalformedEventException($"not a valid CloudEvents 1.0 event ({ex.Message})", ex);
        }
        return events.Select(FromCloudEvent).ToArray();
    }

    private static DeploymentEvent FromEventGrid(EventGridEvent e)
    {
        var basic = new DeploymentEvent(e.Id, e.EventType, EventSchemas.EventGrid, NullIfEmpty(e.Subject), NullIfEmpty(e.Topic), e.EventTime);
        object? data = null;
        try
        {
            if (e.TryGetSystemEventData(out var systemData))
            {
                data = systemData;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new MalformedEventException($"event {e.Id} of type {e.EventType} has data that does not fit its type ({ex.Message})", ex);
        }
        return Describe(basic, data, e.Data);
    }

    private static DeploymentEvent FromCloudEvent(CloudEvent e)
    {
        var basic = new DeploymentEvent(e.Id, e.Type, EventSchemas.CloudEvents, NullIfEmpty(e.Subject), NullIfEmpty(e.Source), e.Time);
        object? data = null;
        try
        {
            if (e.TryGetSystemEventData(out var systemData))
            {
                data = systemData;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new MalformedEventException($"event {e.Id} of type {e.Type} has data that does not fit its type ({ex.Message})", ex);
        }
        return Describe(basic, data, e.Data);
    }

    private static DeploymentEvent Describe(DeploymentEvent e, object? systemData, BinaryData? rawData) => systemData switch
    {
        ResourceWriteSuccessEventData w => e with { ResourceId = w.ResourceUri ?? e.Subject, OperationName = w.OperationName },
        ResourceActionSuccessEventData a => e with { ResourceId = a.ResourceUri ?? e.Subject, OperationName = a.OperationName },
        MachineLearningServicesModelDeployedEventData m => e with { ResourceId = MachineLearningResourceId(e, m) },
        ContainerRegistryImagePushedEventData p => e with { ResourceId = e.Source, Repository = p.Target?.Repository },
        SubscriptionValidationEventData v => e with { ValidationCode = v.ValidationCode },
        _ when string.Equals(e.Type, DeploymentEventTypes.WarmupDeploymentCompleted, StringComparison.Ordinal) =>
            e with { NamedTarget = ReadTargetName(rawData) },
        _ => e,
    };

    // The workspace topic plus "endpoints/<service>" gives the endpoint's resource id under the workspace.
    private static string? MachineLearningResourceId(DeploymentEvent e, MachineLearningServicesModelDeployedEventData data)
    {
        var relative = e.Subject ?? (data.ServiceName is { Length: > 0 } name ? $"endpoints/{name}" : null);
        if (relative is null)
        {
            return e.Source;
        }

        if (relative.StartsWith('/') || e.Source is null)
        {
            return relative;
        }

        return $"{e.Source.TrimEnd('/')}/{relative}";
    }

    // Only the name is read; any other field (a URL, say) is ignored on purpose.
    private static string? ReadTargetName(BinaryData? data)
    {
        if (data is null || data.ToMemory().IsEmpty)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(data.ToMemory());
            return document.RootElement.ValueKind == JsonValueKind.Object &&
                   document.RootElement.TryGetProperty("target", out var target) &&
                   target.ValueKind == JsonValueKind.String
                ? target.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
