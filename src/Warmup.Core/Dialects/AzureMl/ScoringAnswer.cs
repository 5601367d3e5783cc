using System.Text.Json;
using Warmup.Core.Dialects.Wire;

namespace Warmup.Core.Dialects.AzureMl;

/// <summary>
/// The one-piece answer of a scoring script. Its shape is the script's own, so only what is common is read: an
/// <c>error</c> field is an error, an OpenAI-style <c>usage.completion_tokens</c> gives the count; anything else that is
/// not empty is the answer (one event: its arrival is both first token and last).
/// </summary>
internal static class ScoringAnswer
{
    public static StreamEvent Parse(byte[] body)
    {
        using var json = JsonBody.TryParse(body);
        if (json is null)
        {
            return body.AsSpan().Trim(" \t\r\n"u8).IsEmpty
                ? new StreamEvent(StreamEventKind.Malformed, Detail: "the scoring route answered an empty body")
                : new StreamEvent(StreamEventKind.Token, 1);
        }

        var root = json.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error))
        {
            return new StreamEvent(StreamEventKind.Error, Detail: ErrorText.Shorten(
                error.ValueKind == JsonValueKind.Object ? JsonBody.String(error, "message") ?? error.GetRawText() : error.ToString()));
        }

        var usage = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("usage", out var u) ? u : default;
        var completion = JsonBody.Int(usage, "completion_tokens");
        return new StreamEvent(StreamEventKind.Token, Math.Max(completion ?? 1, 1), JsonBody.Int(usage, "prompt_tokens"), completion);
    }
}
