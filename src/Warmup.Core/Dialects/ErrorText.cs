namespace Warmup.Core.Dialects;

/// <summary>Keeps server-provided error text short and on one line before it goes into results and telemetry.</summary>
public static class ErrorText
{
    public const int MaxLength = 200;

    public static string Shorten(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Span<char> buffer = stackalloc char[MaxLength];
        var length = 0;
        var lastWasSpace = false;
        foreach (var c in text.AsSpan().Trim())
        {
            var isSpace = char.IsWhiteSpace(c) || char.IsControl(c);
            if (isSpace && lastWasSpace)
            {
                continue;
            }

            if (length == MaxLength)
            {
                buffer[MaxLength - 1] = '…';
                break;
            }

            buffer[length++] = isSpace ? ' ' : c;
            lastWasSpace = isSpace;
        }

        return new string(buffer[..length]);
    }
}
