using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Warmup.Core.Orchestration;
using Warmup.Core.Targets;
using Warmup.Functions.Starting;

namespace Warmup.Functions.Triggers;

/// <summary>Answer of POST (202) and DELETE (202).</summary>
public sealed record WarmupAccepted(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("target")] string Target,
    [property: JsonPropertyName("plan")] string? Plan,
    [property: JsonPropertyName("correlationId")] string? CorrelationId,
    [property: JsonPropertyName("statusUri")] string StatusUri,
    [property: JsonPropertyName("cancelUri")] string CancelUri);

/// <summary>Answer of GET: the instance, its progress (custom status) and its result (the run's report).</summary>
public sealed record WarmupStatus(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("target")] string Target,
    [property: JsonPropertyName("runtimeStatus")] string RuntimeStatus,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("lastUpdatedAt")] DateTimeOffset LastUpdatedAt,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("plan")] string? Plan,
    [property: JsonPropertyName("correlationId")] string? CorrelationId,
    [property: JsonPropertyName("progress")] JsonNode? Progress,
    [property: JsonPropertyName("result")] JsonNode? Result,
    [property: JsonPropertyName("failure")] string? Failure);

/// <summary>
/// Manual warm-ups: <c>POST/GET/DELETE /api/warmups/{target}</c> (function key). The route names a configured target;
/// no URL is ever taken from a request. POST answers 202 with Location, 404 for an unknown target, 409 when the target is
/// already warming, 400 for a bad body; GET answers the status; DELETE cancels (terminates) a running warm-up.
/// </summary>
public sealed class WarmupApi(ITargetCatalog catalog, WarmupStarter starter)
{
    public const string Route = "warmups/{target}";
    public const string StartFunctionName = "StartWarmup";
    public const string GetFunctionName = "GetWarmup";
    public const string CancelFunctionName = "CancelWarmup";
    public const int MaxBodyBytes = 64 * 1024;

    [Function(StartFunctionName)]
    public async Task<IActionResult> Start(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Route)] HttpRequest request,
        string target,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        if (!TryFind(target, out var configured, out var notFound))
            return notFound;

        var body = await RequestBody.ReadAsync(request, MaxBodyBytes, cancellationToken);
        if (body is null)
            return Errors.TooLarge($"the request body is larger than {MaxBodyBytes} bytes");
        if (ManualRequestParser.Parse(body, configured, out string? error) is not { } parsed)
            return Errors.BadRequest(error!);

        var result = await starter.StartManualAsync(client, configured, parsed.Plan, parsed.Threshold, cancellationToken);
        if (!result.IsStarted)
            return Errors.Conflict($"{result.Detail}; wait for it, or cancel it with DELETE on this URL");

        string self = SelfUri(request);
        return new AcceptedResult(self, new WarmupAccepted(result.InstanceId, configured.Name, parsed.Plan.Preset, result.CorrelationId, self, self));
    }

    [Function(GetFunctionName)]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Route)] HttpRequest request,
        string target,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        if (!TryFind(target, out var configured, out var notFound))
            return notFound;

        var instance = await client.GetInstanceAsync(TaskNames.InstanceIdFor(configured.Name), getInputsAndOutputs: true, cancellationToken);
        if (instance is null)
            return Errors.NotFound($"no warm-up has run for target '{configured.Name}' yet; start one with POST on this URL");

        var input = WarmupStarter.ReadRequest(instance);
        return new OkObjectResult(new WarmupStatus(
            instance.InstanceId,
            configured.Name,
            instance.RuntimeStatus.ToString(),
            instance.CreatedAt,
            instance.LastUpdatedAt,
            input?.Reason,
            input?.Plan.Preset,
            input?.CorrelationId,
            ParseJson(instance.SerializedCustomStatus),
            ParseJson(instance.SerializedOutput),
            instance.FailureDetails?.ErrorMessage));
    }

    [Function(CancelFunctionName)]
    public async Task<IActionResult> Cancel(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = Route)] HttpRequest request,
        string target,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        if (!TryFind(target, out var configured, out var notFound))
            return notFound;

        string id = TaskNames.InstanceIdFor(configured.Name);
        var instance = await client.GetInstanceAsync(id, getInputsAndOutputs: false, cancellationToken);
        if (!WarmupStarter.IsActive(instance))
            return Errors.NotFound($"no warm-up is running for target '{configured.Name}'");

        await client.TerminateInstanceAsync(id, new TerminateInstanceOptions(Output: $"cancelled through DELETE /api/warmups/{configured.Name}"), cancellationToken);
        string self = SelfUri(request);
        return new AcceptedResult(self, new WarmupAccepted(id, configured.Name, null, null, self, self));
    }

    private bool TryFind(string name, out WarmupTarget target, out IActionResult notFound)
    {
        // Only a configured name resolves; anything else (a URL, a path) is simply an unknown name.
        if (TargetCatalog.IsValidName(name) && catalog.TryGet(name, out var found))
        {
            target = found;
            notFound = null!;
            return true;
        }
        target = null!;
        string known = catalog.Targets.Count == 0 ? "no targets are configured" : $"configured targets: {string.Join(", ", catalog.Targets.Select(t => t.Name))}";
        notFound = Errors.NotFound($"no configured target is named '{EchoedInput.Truncate(name)}' ({known})");
        return false;
    }

    // The status and cancel URLs are this very route, with the caller's function key so they work as given.
    private static string SelfUri(HttpRequest request) => FunctionKeyLinks.SelfWithKey(request);

    private static JsonNode? ParseJson(string? serialized)
    {
        if (string.IsNullOrEmpty(serialized))
            return null;
        try
        {
            return JsonNode.Parse(serialized);
        }
        catch (System.Text.Json.JsonException)
        {
            return JsonValue.Create(serialized);
        }
    }
}
