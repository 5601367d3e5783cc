using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Warmup.Core.Targets;
using Warmup.Functions.Configuration;
using Warmup.Functions.Status;

namespace Warmup.Functions.Triggers;

/// <summary>Answer of GET /api/targets.</summary>
/// <param name="Problems">Every configuration problem found at start (also logged then), including those of no named target.</param>
public sealed record TargetList(
    [property: JsonPropertyName("targets")] IReadOnlyList<TargetSummary> Targets,
    [property: JsonPropertyName("problems")] IReadOnlyList<string> Problems);

/// <summary>One configured target: valid ones with their endpoint and last run, invalid ones with why. Never a secret.</summary>
public sealed record TargetSummary(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("valid")] bool Valid,
    [property: JsonPropertyName("problems")] IReadOnlyList<string> Problems,
    [property: JsonPropertyName("dialect")] string? Dialect,
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("baseUrl")] string? BaseUrl,
    [property: JsonPropertyName("lastRun")] LastRunSummary? LastRun);

/// <param name="Outcome">The report's outcome; null while the run is still going.</param>
/// <param name="At">When the run finished, or when it last changed while still going.</param>
public sealed record LastRunSummary(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("runtimeStatus")] string RuntimeStatus,
    [property: JsonPropertyName("outcome")] string? Outcome,
    [property: JsonPropertyName("at")] DateTimeOffset At);

/// <summary>
/// <c>GET /api/targets</c> (function key): the configured targets, whether each is valid and why not, and each one's
/// last run. Reads configuration as loaded at start; API keys are named by their setting only in the problems, never
/// read into the answer.
/// </summary>
public sealed class TargetsApi(ITargetCatalog catalog, StartupValidation validation)
{
    public const string Route = "targets";
    public const string FunctionName = "ListTargets";

    [Function(FunctionName)]
    public async Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Route)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var targets = new List<TargetSummary>();
        foreach (var target in catalog.Targets)
        {
            var problems = validation.Problems.Where(p => p.StartsWith($"target '{target.Name}':", StringComparison.Ordinal)).ToArray();
            targets.Add(new TargetSummary(
                target.Name, true, problems, target.Dialect, target.Model, target.BaseUrl.GetLeftPart(UriPartial.Path),
                await LastRunAsync(client, target.Name, cancellationToken)));
        }

        foreach (var (name, why) in catalog.InvalidTargets.OrderBy(i => i.Key, StringComparer.Ordinal))
        {
            targets.Add(new TargetSummary(name, false, [why], null, null, null, await LastRunAsync(client, name, cancellationToken)));
        }

        return new OkObjectResult(new TargetList(targets, validation.Problems));
    }

    private static async Task<LastRunSummary?> LastRunAsync(DurableTaskClient client, string target, CancellationToken cancellationToken)
    {
        var status = await RunStatusReader.CurrentAsync(client, target, cancellationToken);
        if (status is null)
        {
            return null;
        }

        var outcome = status.Result?["outcome"]?.GetValue<string>();
        var at = status.Result?["finishedAt"]?.GetValue<DateTimeOffset>() ?? status.LastUpdatedAt;
        return new LastRunSummary(status.Id, status.RuntimeStatus, outcome, at);
    }
}
