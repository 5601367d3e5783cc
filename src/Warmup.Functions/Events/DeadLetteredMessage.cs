using System.Text.Json;
using System.Text.Json.Serialization;

namespace Warmup.Functions.Events;

/// <summary>
/// What the deployment queue trigger writes to its dead-letter queue (%WARMUP_DEADLETTER_QUEUE%) for a message that is
/// not an event: why, the original text unchanged, where it came from and when. A message that cannot parse never will,
/// so it is moved there on its first delivery instead of being retried into the host's poison queue.
/// </summary>
public sealed record DeadLetteredMessage(
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("originalMessage")] string OriginalMessage,
    [property: JsonPropertyName("sourceFunction")] string SourceFunction,
    [property: JsonPropertyName("deadLetteredAt")] DateTimeOffset DeadLetteredAt)
{
    public string ToJson() => JsonSerializer.Serialize(this);

    public static DeadLetteredMessage? FromJson(string json) => JsonSerializer.Deserialize<DeadLetteredMessage>(json);
}
