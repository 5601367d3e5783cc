using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Warmup.Functions.Status;

/// <summary>
/// Answer of GET /api/warmups/{target} and GET /api/warmups/{target}/runs/{runId}: one run, its progress (custom status)
/// and its result (the run's report, in the documented camelCase form of ReportJson).
/// </summary>
/// <param name="Id">The run id (warmup-{target}-{yyyyMMddTHHmmssZ}-{8 hex}).</param>
/// <param name="Plan">The plan this run ran: the report's plan once there is one, else the requested preset.</param>
/// <param name="Deployment">Azure ML: the deployment of this run (target "endpoint@deployment"); null for other targets.</param>
/// <param name="Runs">The runs of the target's latest warm-up, oldest first (two when an idle light run escalated).</param>
public sealed record WarmupStatus(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("target")] string Target,
    [property: JsonPropertyName("deployment")] string? Deployment,
    [property: JsonPropertyName("runtimeStatus")] string RuntimeStatus,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("lastUpdatedAt")] DateTimeOffset LastUpdatedAt,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("plan")] string? Plan,
    [property: JsonPropertyName("correlationId")] string? CorrelationId,
    [property: JsonPropertyName("progress")] JsonNode? Progress,
    [property: JsonPropertyName("result")] JsonNode? Result,
    [property: JsonPropertyName("failure")] string? Failure,
    [property: JsonPropertyName("runs")] IReadOnlyList<string> Runs);
