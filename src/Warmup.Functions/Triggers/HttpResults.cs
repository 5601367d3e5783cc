using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Warmup.Functions.Triggers;

/// <summary>The body of every 4xx answer: one clear sentence.</summary>
public sealed record ErrorBody([property: JsonPropertyName("error")] string Error);

/// <summary>Event Grid's synchronous validation answer: <c>{"validationResponse": "&lt;code&gt;"}</c>.</summary>
public sealed record SubscriptionValidationReply([property: JsonPropertyName("validationResponse")] string ValidationResponse);

/// <summary>CloudEvents abuse protection (HTTP webhook spec §4): echo the origin, allow any rate.</summary>
public sealed class WebHookHandshakeResult(string origin) : IActionResult
{
    public const string RequestOriginHeader = "WebHook-Request-Origin";
    public const string AllowedOriginHeader = "WebHook-Allowed-Origin";
    public const string AllowedRateHeader = "WebHook-Allowed-Rate";

    public string Origin { get; } = origin;

    public Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.Headers[AllowedOriginHeader] = Origin;
        response.Headers[AllowedRateHeader] = "*";
        response.Headers.Allow = "POST, OPTIONS";
        return Task.CompletedTask;
    }
}

internal static class Errors
{
    public static IActionResult BadRequest(string message) => new BadRequestObjectResult(new ErrorBody(message));

    public static IActionResult NotFound(string message) => new NotFoundObjectResult(new ErrorBody(message));

    public static IActionResult Conflict(string message) => new ConflictObjectResult(new ErrorBody(message));

    public static IActionResult TooLarge(string message) => new ObjectResult(new ErrorBody(message)) { StatusCode = StatusCodes.Status413PayloadTooLarge };
}

internal static class RequestBody
{
    /// <summary>Reads at most <paramref name="limit"/> bytes; null when the body is larger.</summary>
    public static async Task<BinaryData?> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }
        return new BinaryData(buffer.ToArray());
    }
}
