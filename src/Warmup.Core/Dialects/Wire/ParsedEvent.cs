namespace Warmup.Core.Dialects.Wire;

/// <summary>
/// One parsed event and whether it is the server's last. Native streams often end on an event that still carries a
/// token or the usage (TGI's last token with <c>details</c>, llama.cpp's <c>stop:true</c>, Ollama's <c>done:true</c>);
/// the readers then yield the event followed by <see cref="StreamEventKind.Done"/>.
/// </summary>
internal readonly record struct ParsedEvent(StreamEvent Event, bool EndsStream = false)
{
    public static ParsedEvent Malformed(string why) => new(new StreamEvent(StreamEventKind.Malformed, Detail: why));

    public static ParsedEvent Error(string message) => new(new StreamEvent(StreamEventKind.Error, Detail: ErrorText.Shorten(message)));

    public static implicit operator ParsedEvent(StreamEvent item) => new(item);
}

/// <summary>What marks the end of a stream for a dialect.</summary>
internal enum StreamEnd
{
    /// <summary>A terminal event (<c>[DONE]</c>, or one the parser flags); end of body without it is a truncated stream.</summary>
    Marker,

    /// <summary>End of body is the end (Triton sends no marker: the final response flag closes the stream).</summary>
    EndOfBody,
}
