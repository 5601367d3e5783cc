using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Warmup.Simulator.Api;

/// <summary>vLLM's error bodies: current <c>{"error":{...}}</c> or legacy flat <c>{"object":"error",...}</c>.</summary>
internal static class ApiErrors
{
    public static byte[] Body(string style, string message, string type, int code)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (style == ErrorStyles.Legacy)
            {
                json.WriteString("object", "error");
                WriteFields(json, message, type, code);
            }
            else
            {
                json.WriteStartObject("error");
                WriteFields(json, message, type, code);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static async Task WriteAsync(HttpContext ctx, string style, int status, string type, string message)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync(Body(style, message, type, status), ctx.RequestAborted);
    }

    public static string TypeFor(int status) => status switch
    {
        400 => "BadRequestError",
        401 => "UnauthorizedError",
        404 => "NotFoundError",
        429 => "RateLimitError",
        503 => "ServiceUnavailableError",
        _ => "InternalServerError",
    };

    public static async Task UnauthorizedAsync(HttpContext ctx)
    {
        ctx.Response.StatusCode = 401;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync(Encoding.UTF8.GetBytes("{\"error\":\"Unauthorized\"}"), ctx.RequestAborted);
    }

    private static void WriteFields(Utf8JsonWriter json, string message, string type, int code)
    {
        json.WriteString("message", message);
        json.WriteString("type", type);
        json.WriteNull("param");
        json.WriteNumber("code", code);
    }
}
