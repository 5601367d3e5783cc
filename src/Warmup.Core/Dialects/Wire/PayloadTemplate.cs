using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Warmup.Core.Dialects.Wire;

/// <summary>
/// A request body written by the operator for servers whose fields differ per backend (Triton models, Azure ML scoring
/// scripts). It is a JSON object; a string value that is exactly <c>{{prompt}}</c> becomes the prompt, exactly
/// <c>{{max_tokens}}</c> becomes the output length as a number, and <c>{{max_tokens}}</c> / <c>{{model}}</c> inside a longer
/// string are replaced as text (so a JSON-in-a-string field such as Triton's <c>sampling_parameters</c> can carry the length).
/// </summary>
public static class PayloadTemplate
{
    public const string Prompt = "{{prompt}}";
    public const string MaxTokens = "{{max_tokens}}";
    public const string Model = "{{model}}";

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>Null when the template is usable, else what is wrong with it.</summary>
    public static string? Validate(string template)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(template);
        }
        catch (JsonException ex)
        {
            return $"is not valid JSON: {ex.Message}";
        }

        if (root is not JsonObject)
        {
            return "must be a JSON object";
        }

        var strings = Strings(root).ToList();
        if (strings.Any(s => s != Prompt && s.Contains(Prompt, StringComparison.Ordinal)))
        {
            return $"may use \"{Prompt}\" only as a whole value, not inside a longer string";
        }

        if (!strings.Any(s => s == Prompt))
        {
            return $"must have a value that is exactly \"{Prompt}\" (where the prompt goes)";
        }

        return strings.Any(s => s.Contains(MaxTokens, StringComparison.Ordinal))
            ? null
            : $"must use \"{MaxTokens}\" somewhere (the output length)";
    }

    public static HttpContent Render(string template, string prompt, int maxTokens, string model)
    {
        var root = JsonNode.Parse(template) ?? throw new ArgumentException("The request template is empty.", nameof(template));
        var rendered = Substitute(root, prompt, maxTokens, model);
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(rendered));
        content.Headers.ContentType = Json;
        return content;
    }

    private static JsonNode? Substitute(JsonNode? node, string prompt, int maxTokens, string model) => node switch
    {
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, Substitute(p.Value, prompt, maxTokens, model)))),
        JsonArray array => new JsonArray(array.Select(i => Substitute(i, prompt, maxTokens, model)).ToArray()),
        JsonValue value when value.TryGetValue<string>(out var text) => text switch
        {
            Prompt => JsonValue.Create(prompt),
            MaxTokens => JsonValue.Create(maxTokens),
            _ => JsonValue.Create(text
                .Replace(MaxTokens, maxTokens.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace(Model, model, StringComparison.Ordinal)),
        },
        null => null,
        _ => node.DeepClone(),
    };

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(p => Strings(p.Value)),
        JsonArray array => array.SelectMany(Strings),
        JsonValue value when value.TryGetValue<string>(out var text) => [text],
        _ => [],
    };
}
