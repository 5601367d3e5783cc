using System.Diagnostics;
using Warmup.Core.Dialects;

namespace Warmup.Core.Probing;

/// <summary>Collects the monotonic timestamps of one request as its events arrive and turns them into a <see cref="ProbeResult"/>.</summary>
internal sealed class ProbeTimeline(int requestPromptTokens)
{
    private readonly List<double> _gaps = [];
    private long _start;
    private WireStamps? _wire;
    private long? _headers;
    private long? _firstToken;
    private long? _lastToken;
    private int? _status;
    private int _tokenEvents;
    private int? _serverPromptTokens;
    private int? _serverCompletionTokens;

    /// <summary>
    /// Starts the timeline as the request is handed to the HTTP stack. Where the connection stamps <paramref name="wire"/>,
    /// its times run from the request's first byte written to the reads that brought each event instead.
    /// </summary>
    public void Start(WireStamps wire)
    {
        _start = Stopwatch.GetTimestamp();
        _wire = wire;
    }

    /// <summary>
    /// <see cref="Stopwatch.GetTimestamp"/> its times run from: the request's first byte written, or (unstamped
    /// connection) when it was handed to the HTTP stack.
    /// </summary>
    public long Origin => _wire?.FirstWrite ?? _start;

    /// <summary>When the bytes now being handled came off the wire, or now where the connection does not stamp.</summary>
    public long Stamp() => _wire?.LastRead ?? Stopwatch.GetTimestamp();

    public void Headers(int status)
    {
        _headers = Stamp();
        _status = status;
    }

    public void Token(long timestamp, in StreamEvent tokenEvent)
    {
        if (_lastToken is { } previous)
        {
            _gaps.Add(Milliseconds(previous, timestamp));
        }
        else
        {
            _firstToken = timestamp;
        }

        _lastToken = timestamp;
        _tokenEvents += Math.Max(tokenEvent.TokenCount, 1);
        Usage(tokenEvent);
    }

    /// <summary>Later usage wins: with continuous usage stats every chunk carries a running total.</summary>
    public void Usage(in StreamEvent usageEvent)
    {
        _serverPromptTokens = usageEvent.PromptTokens ?? _serverPromptTokens;
        _serverCompletionTokens = usageEvent.CompletionTokens ?? _serverCompletionTokens;
    }

    public ProbeResult Complete(long end) => Build(ProbeOutcome.Ok, null, end);

    public ProbeResult Fail(ProbeOutcome outcome, string error, long? end = null) =>
        Build(outcome, ErrorText.Shorten(error), end ?? (_headers is null ? null : Stopwatch.GetTimestamp()));

    private ProbeResult Build(ProbeOutcome outcome, string? error, long? end) => new()
    {
        Outcome = outcome,
        StatusCode = _status,
        Error = error,
        HeadersMs = Since(_headers),
        TtftMs = Since(_firstToken),
        InterTokenMs = _gaps,
        E2eMs = Since(_lastToken),
        EndMs = Since(end),
        PromptTokens = _serverPromptTokens ?? requestPromptTokens,
        OutputTokens = _serverCompletionTokens ?? _tokenEvents,
        TokensFromServer = _serverCompletionTokens is not null,
        FirstTokenTimestamp = _firstToken,
    };

    private double? Since(long? timestamp) => timestamp is { } t ? Milliseconds(Origin, t) : null;

    private static double Milliseconds(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
}
