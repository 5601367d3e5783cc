using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Warmup.Functions.Tests.Support;

internal static class Http
{
    public static HttpRequest Request(string method, string path, string? body = null, string? contentType = "application/json", IDictionary<string, string>? headers = null)
    {
        var context = new DefaultHttpContext();
        var request = context.Request;
        request.Method = method;
        request.Scheme = "https";
        request.Host = new HostString("warmup-app.azurewebsites.net");
        request.Path = path;
        request.QueryString = new QueryString("?code=secret-function-key");
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            request.Body = new MemoryStream(bytes);
            request.ContentLength = bytes.Length;
            request.ContentType = contentType;
        }
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers[name] = value;
        }

        return request;
    }

    /// <summary>The JSON an ObjectResult would write, with the web serializer defaults the worker uses.</summary>
    public static JsonNode Json(IActionResult result) =>
        JsonNode.Parse(JsonSerializer.Serialize(((ObjectResult)result).Value, JsonSerializerOptions.Web))!;

    public static int? Status(IActionResult result) => result switch
    {
        ObjectResult o => o.StatusCode,
        StatusCodeResult s => s.StatusCode,
        _ => null,
    };
}
