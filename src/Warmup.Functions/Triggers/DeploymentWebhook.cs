using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Warmup.Functions.Events;

namespace Warmup.Functions.Triggers;

/// <summary>
/// <c>POST /api/events</c> for Event Grid webhook subscriptions and CI/CD publishers (function key in <c>?code=</c>):
/// the SubscriptionValidation handshake, the CloudEvents OPTIONS handshake, and batches of Event Grid or CloudEvents
/// events (structured, batched, or one event in binary content mode). Answers fast with a summary; the warm-ups run in their orchestrations. A malformed body gets 400 (Event Grid
/// does not retry it); a transient failure surfaces as 5xx so Event Grid retries.
/// </summary>
public sealed partial class DeploymentWebhook(DeploymentEventProcessor processor, ILogger<DeploymentWebhook> logger)
{
    public const string FunctionName = "DeploymentWebhook";
    public const string Route = "events";

    /// <summary>Event Grid batches are at most 1 MB; leave headroom.</summary>
    public const int MaxBodyBytes = 2 * 1024 * 1024;

    [Function(FunctionName)]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", "options", Route = Route)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        if (HttpMethods.IsOptions(request.Method))
        {
            return Handshake(request);
        }

        var body = await RequestBody.ReadAsync(request, MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Errors.TooLarge($"the request body is larger than {MaxBodyBytes} bytes");
        }

        IReadOnlyList<DeploymentEvent> events;
        try
        {
            events = request.Headers.ContainsKey(DeploymentEventReader.BinaryModeHeader)
                ? DeploymentEventReader.ReadBinaryCloudEvent(body, request.ContentType, name => request.Headers[name].FirstOrDefault())
                : DeploymentEventReader.ReadBody(body, request.ContentType);
        }
        catch (MalformedEventException ex)
        {
            LogMalformed(logger, ex.Message);
            return Errors.BadRequest(ex.Message);
        }

        if (events.FirstOrDefault(e => e.ValidationCode is not null) is { } validation)
        {
            LogValidation(logger, validation.Id);
            return new OkObjectResult(new SubscriptionValidationReply(validation.ValidationCode!));
        }
        if (IsValidationRequest(request))
        {
            return Errors.BadRequest("aeg-event-type is SubscriptionValidation but the body holds no validation event with data.validationCode");
        }

        var summary = await processor.ProcessAsync(client, events, cancellationToken);
        LogProcessed(logger, events.Count, summary.Started, summary.Restarted, summary.Skipped, summary.Ignored);
        return new OkObjectResult(summary);
    }

    private static IActionResult Handshake(HttpRequest request)
    {
        string? origin = request.Headers[WebHookHandshakeResult.RequestOriginHeader];
        if (string.IsNullOrWhiteSpace(origin))
        {
            return Errors.BadRequest($"OPTIONS needs the {WebHookHandshakeResult.RequestOriginHeader} header (CloudEvents webhook abuse protection)");
        }

        return new WebHookHandshakeResult(origin.Trim());
    }

    private static bool IsValidationRequest(HttpRequest request) =>
        string.Equals(request.Headers["aeg-event-type"], "SubscriptionValidation", StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Malformed webhook body answered with 400: {Problem}")]
    private static partial void LogMalformed(ILogger logger, string problem);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Answered Event Grid subscription validation {EventId}")]
    private static partial void LogValidation(ILogger logger, string eventId);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Webhook delivery with {Events} event(s): {Started} started, {Restarted} restarted, {Skipped} skipped, {Ignored} ignored")]
    private static partial void LogProcessed(ILogger logger, int events, int started, int restarted, int skipped, int ignored);
}
