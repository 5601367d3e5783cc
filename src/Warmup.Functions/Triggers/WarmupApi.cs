using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Warmup.Core.Orchestration;
using Warmup.Core.Targets;
using Warmup.Functions.Starting;
using Warmup.Functions.Status;

namespace Warmup.Functions.Triggers;

/// <summary>Answer of POST (202) and DELETE (202).</summary>
public sealed record WarmupAccepted(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("target")] string Target,
    [property: JsonPropertyName("plan")] string? Plan,
    [property: JsonPropertyName("correlationId")] string? CorrelationId,
    [property: JsonPropertyName("statusUri")] string StatusUri,
    [property: JsonPropertyName("cancelUri")] string CancelUri,
    [property: JsonPropertyName("runId")] string? RunId = null);

/// <summary>
/// Manual warm-ups: <c>POST/GET/DELETE /api/warmups/{target}</c> and <c>GET /api/warmups/{target}/runs/{runId}</c>
/// (function key). The route names a configured target; no URL is ever taken from a request. POST answers 202 with
/// Location and the run id, 404 for an unknown target (saying why when the target is configured but invalid), 409 when
/// the target is already warming, 400 for a bad body; GET answers the current or latest run, or a given run; DELETE
/// cancels the current run through its cancel path, so the run still records its report (outcome cancelled).
/// </summary>
public sealed class WarmupApi(ITargetCatalog catalog, WarmupStarter starter)
{
    public const string Route = "warmups/{target}";
    public const string StartFunctionName = "StartWarmup";
    public const string GetFunctionName = "GetWarmup";
    public const string CancelFunctionName = "CancelWarmup";
    public const string RunRoute = "warmups/{target}/runs/{runId}";
    public const string GetRunFunctionName = "GetWarmupRun";
    public const int MaxBodyBytes = 64 * 1024;

    [Function(StartFunctionName)]
    public async Task<IActionResult> Start(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Route)] HttpRequest request,
        string target,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        if (!TryFind(target, out var configured, out var notFound))
        {
            return notFound;
        }

        var body = await RequestBody.ReadAsync(request, MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Errors.TooLarge($"the request body is larger than {MaxBodyBytes} bytes");
        }

        if (ManualRequestParser.Parse(body, configured, out var error) is not { } parsed)
        {
            return Errors.BadRequest(error!);
        }

        var result = await starter.StartManualAsync(client, configured, parsed.Plan, parsed.Threshold, cancellationToken);
        if (!result.IsStarted)
        {
            return Errors.Conflict($"{result.Detail}; wait for it, or cancel it with DELETE on this URL");
        }

        var self = SelfUri(request);
        return new AcceptedResult(self, new WarmupAccepted(result.InstanceId, configured.Name, parsed.Plan.Preset, result.CorrelationId, self, self, result.RunId));
    }

    [Function(GetFunctionName)]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Route)] HttpRequest request,
        string target,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        if (!TryFind(target, out var configured, out var notFound))
        {
            return notFound;
        }

        var status = await RunStatusReader.CurrentAsync(client, configured.Name, cancellationToken);
        return status is null
            ? Errors.NotFound($"no warm-up has run for target '{configured.Name}' yet; start one with POST on this URL")
            : new OkObjectResult(status);
    }

    [Function(GetRunFunctionName)]
    public async Task<IActionResult> GetRun(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = RunRoute)] HttpRequest request,
        string target,
        string runId,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        if (!TryFind(target, out var configured, out var notFound))
        {
            return notFound;
        }

        var status = await RunStatusReader.RunAsync(client, configured.Name, runId, cancellationToken);
        return status is null
            ? Errors.NotFound($"target '{configured.Name}' has no run '{EchoedInput.Truncate(runId)}' (run ids look like {TaskNames.InstanceIdFor(configured.Name)}-20260301T120000Z-1a2b3c4d)")
            : new OkObjectResult(status);
    }

    [Function(CancelFunctionName)]
    public async Task<IActionResult> Cancel(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = Route)] HttpRequest request,
        string target,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        if (!TryFind(target, out var configured, out var notFound))
        {
            return notFound;
        }

        var id = TaskNames.InstanceIdFor(configured.Name);
        var instance = await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken);
        if (!WarmupStarter.IsActive(instance))
        {
            return Errors.NotFound($"no warm-up is running for target '{configured.Name}'");
        }

        await starter.RequestCancelAsync(client, id, $"cancelled through DELETE /api/warmups/{configured.Name}", cancellationToken);
        var self = SelfUri(request);
        return new AcceptedResult(self, new WarmupAccepted(id, configured.Name, null, null, self, self, RunStatusReader.CurrentRunId(instance!)));
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
        if (TargetCatalog.IsValidName(name) && catalog.InvalidTargets.TryGetValue(name, out var why))
        {
            notFound = Errors.NotFound($"target '{name}' is configured but invalid: {why}");
            return false;
        }
        var known = catalog.Targets.Count == 0 ? "no targets are configured" : $"configured targets: {string.Join(", ", catalog.Targets.Select(t => t.Name))}";
        notFound = Errors.NotFound($"no configured target is named '{EchoedInput.Truncate(name)}' ({known})");
        return false;
    }

    // The status and cancel URLs are this very route, with the caller's function key so they work as given.
    private static string SelfUri(HttpRequest request) => FunctionKeyLinks.SelfWithKey(request);
}
