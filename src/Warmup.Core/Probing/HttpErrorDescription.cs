using System.Text.Json;

namespace Warmup.Core.Probing;

/// <summary>
/// Describes a non-2xx answer in one short line: status, reason and the server's error message when it sent a JSON
/// error object. Raw bodies (HTML error pages, echoes) are not copied, so request data cannot leak into results.
/// </summary>
internal static class HttpErrorDescription
{
    private const int MaxBodyBytes = 8 * 1024;

    // The error body is a courtesy: a server that sends the status and then stalls must not turn an HTTP error into a timeout.
    private static readonly TimeSpan s_bodyReadLimit = TimeSpan.FromSeconds(2);

    public static async Task<string> DescribeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
        string? message = null;
        using var bodyRead = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bodyRead.CancelAfter(s_bodyReadLimit);
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(bodyRead.Token).ConfigureAwait(false);
            var buffer = new byte[MaxBodyBytes];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), bodyRead.Token).ConfigureAwait(false)) > 0)
            {
                length += read;
            }

            message = ReadMessage(buffer.AsSpan(0, length));
        }
        catch (IOException)
        {
            // The error body is a courtesy; the status already says what happened.
        }
        catch (HttpRequestException)
        {
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Only the body-read limit fired: report the status without a message.
        }

        return message is null ? status : $"{status}: {message}";
    }

    /// <summary>Finds <c>error.message</c>, <c>error</c> (string), <c>message</c> or <c>detail</c> in a JSON error body.</summary>
    internal static string? ReadMessage(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            string? found = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                if (name is "error" && reader.TokenType == JsonTokenType.StartObject)
                {
                    found = ReadNestedMessage(ref reader) ?? found;
                }
                else if (name is "error" or "message" or "detail" && reader.TokenType == JsonTokenType.String)
                {
                    found ??= reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }

            return found;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? ReadNestedMessage(ref Utf8JsonReader reader)
    {
        string? message = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isMessage = reader.ValueTextEquals("message"u8);
            reader.Read();
            if (isMessage && reader.TokenType == JsonTokenType.String)
            {
                message = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        return message;
    }
}
