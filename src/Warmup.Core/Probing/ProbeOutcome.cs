namespace Warmup.Core.Probing;

/// <summary>How one probe request ended. Everything but <see cref="Ok"/> is a failure that is recorded as data.</summary>
public enum ProbeOutcome
{
    Ok,
    HttpError,
    Timeout,
    ConnectionRefused,
    ConnectionReset,
    /// <summary>The body ended before the dialect's terminal marker (e.g. no data: [DONE]).</summary>
    TruncatedStream,
    /// <summary>An error object arrived inside a 200 stream.</summary>
    StreamError,
    MalformedChunk,
    /// <summary>Not sent: the run's circuit was open (see Reliability.RunCircuit), so the server got nothing.</summary>
    NotSent,
}
