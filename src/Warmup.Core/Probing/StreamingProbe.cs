using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Warmup.Core.Dialects;
using Warmup.Core.Reliability;
using Warmup.Core.Targets;
using Warmup.Core.Telemetry;

namespace Warmup.Core.Probing;

/// <summary>
/// Sends one streamed generation request and records its timeline. Never throws for endpoint failures:
/// refused connections, HTTP errors, timeouts and broken streams come back as a <see cref="ProbeResult"/>.
/// Only cancellation by the caller propagates. Never retries: a retry would hide exactly the cold failure we look for.
/// With the optional guards (the engine registers both) it waits out a target's Retry-After before sending
/// (<see cref="RetryAfterGate"/>, the wait is not part of the timeline) and sends nothing once the run's circuit opened
/// (<see cref="RunCircuit"/>).
/// </summary>
public sealed class StreamingProbe(
    HttpClient http, IRequestAuthenticator authenticator, RetryAfterGate? retryAfter = null, RunCircuit? circuit = null)
{
    private static readonly StringWithQualityHeaderValue Identity = new("identity");

    private readonly TargetConnections _connections = new(http, authenticator);

    /// <summary>
    /// Before measuring, warm the probe's own path once per process (<see cref="ProbeSelfWarm"/>), keep the target's
    /// connections open (<see cref="TargetConnections"/>) and measure the warmer's own stalls during each request
    /// (<see cref="ClientStallMeter"/>, <see cref="ProbeResult.ClientStallMs"/>). Off only for the self-warm's own probe.
    /// </summary>
    public bool SelfWarm { get; init; } = true;

    /// <summary>
    /// Gets ready for <paramref name="concurrency"/> requests released together: the probe path warm and that many
    /// connections open, so the burst measures the server's batch and not the client's connection set-up.
    /// </summary>
    public async Task PrepareAsync(WarmupTarget target, IDialect dialect, int concurrency, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(dialect);
        if (SelfWarm)
        {
            await ProbeSelfWarm.EnsureAsync().ConfigureAwait(false);
            await DialectSelfWarm.EnsureAsync(dialect).ConfigureAwait(false);
            await _connections.EnsureOpenAsync(target, dialect, concurrency, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<ProbeResult> SendAsync(
        WarmupTarget target,
        IDialect dialect,
        GenerationRequest request,
        string correlationId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(request);

        if (circuit?.OpenReason(target.Name, correlationId) is { } open)
        {
            return new ProbeResult { Outcome = ProbeOutcome.NotSent, Error = "not sent: " + open, PromptTokens = request.PromptTokens };
        }

        var held = retryAfter is null ? TimeSpan.Zero : await retryAfter.WaitTurnAsync(target.Name, cancellationToken).ConfigureAwait(false);
        using var stalls = SelfWarm ? ClientStallMeter.Shared.Acquire() : null;
        await PrepareAsync(target, dialect, 1, cancellationToken).ConfigureAwait(false);
        using var activity = StartActivity(target, request);
        using var message = dialect.CreateGenerationRequest(target, request);
        message.Headers.TryAddWithoutValidation(WarmupTraffic.HeaderName, correlationId);
        message.Headers.AcceptEncoding.Add(Identity);
        await authenticator.AuthenticateAsync(target, message, cancellationToken).ConfigureAwait(false);

        var credentials = SentCredentials(message);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(target.Limits.RequestTimeout);
        var timeline = new ProbeTimeline(request.PromptTokens);
        ProbeResult result;
        try
        {
            result = await ExchangeAsync(target, message, dialect, request, timeline, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            result = timeline.Fail(ProbeOutcome.Timeout, string.Create(
                CultureInfo.InvariantCulture, $"no complete response within {target.Limits.RequestTimeout.TotalSeconds:0.###} s"));
        }
        catch (HttpRequestException exception)
        {
            var (outcome, reason) = ProbeFailure.Classify(exception);
            result = timeline.Fail(outcome, reason);
        }
        catch (IOException exception)
        {
            // Mid-body: reset, or a chunked body cut off without its last chunk.
            result = timeline.Fail(ProbeOutcome.ConnectionReset, exception.Message);
        }

        _connections.Used(target, answered: result.StatusCode is not null);
        if (stalls is not null)
        {
            var stamped = result.FirstTokenTimestamp ?? Stopwatch.GetTimestamp();
            // Only stalls from the first byte written to the first token's read can have lengthened the TTFT. A server on
            // this machine shares its CPUs: its own hand-offs may have waited out a stall too, not only the warmer's read.
            result = result with
            {
                ClientStallMs = target.BaseUrl.IsLoopback
                    ? ClientStallMeter.Shared.StalledMs(timeline.Origin, stamped)
                    : ClientStallMeter.Shared.StalledAtMs(timeline.Origin, stamped),
            };
        }

        if (result.Error is { } error && credentials.Count > 0)
        {
            result = result with { Error = Redact(error, credentials) };
        }

        if (held > TimeSpan.Zero)
        {
            result = result with { RetryAfterWaitMs = held.TotalMilliseconds };
        }

        circuit?.Record(target.Name, correlationId, target.Limits.AbortFailedShare, result);
        Record(activity, result);
        return result;
    }

    private async Task<ProbeResult> ExchangeAsync(
        WarmupTarget target,
        HttpRequestMessage message, IDialect dialect, GenerationRequest request, ProbeTimeline timeline, CancellationToken cancellationToken)
    {
        timeline.Start(WireStamps.Begin());
        using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        timeline.Headers((int)response.StatusCode);
        if (!response.IsSuccessStatusCode)
        {
            if (retryAfter?.HoldFor(response) is { } hold)
            {
                retryAfter.Hold(target.Name, hold);
            }

            var description = await HttpErrorDescription.DescribeAsync(response, cancellationToken).ConfigureAwait(false);
            return timeline.Fail(ProbeOutcome.HttpError, dialect is IHttpErrorExplainer explainer
                && explainer.Explain(target, (int)response.StatusCode) is { } meaning ? $"{description} — {meaning}" : description);
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var item in dialect.ReadEventsAsync(body, request, cancellationToken).ConfigureAwait(false))
        {
            var now = timeline.Stamp();
            switch (item.Kind)
            {
                case StreamEventKind.Token:
                    timeline.Token(now, item);
                    break;
                case StreamEventKind.Usage:
                    timeline.Usage(item);
                    break;
                case StreamEventKind.Error:
                    return timeline.Fail(ProbeOutcome.StreamError, item.Detail ?? "error event in stream", now);
                case StreamEventKind.Malformed:
                    return timeline.Fail(ProbeOutcome.MalformedChunk, item.Detail ?? "unparseable event in stream", now);
                case StreamEventKind.Done:
                    return timeline.Complete(now);
                case StreamEventKind.NoContent:
                default:
                    break;
            }
        }

        return timeline.Fail(ProbeOutcome.TruncatedStream, $"stream ended before the {dialect.Name} end marker", Stopwatch.GetTimestamp());
    }

    /// <summary>
    /// The credential values this request carries. A misconfigured server or gateway may reflect them in its error body
    /// ("invalid api key 'sk-...'"), and error text goes to reports, logs and spans.
    /// </summary>
    private static List<string> SentCredentials(HttpRequestMessage message)
    {
        var values = new List<string>();
        if (message.Headers.Authorization is { Parameter: { Length: >= 8 } parameter })
        {
            values.Add(parameter);
        }

        foreach (var name in (string[])["api-key", "x-api-key"])
        {
            if (message.Headers.TryGetValues(name, out var keys))
            {
                values.AddRange(keys.Where(k => k.Length >= 8));
            }
        }

        return values;
    }

    private static string Redact(string text, List<string> credentials)
        => credentials.Aggregate(text, (current, secret) => current.Replace(secret, "[redacted]", StringComparison.Ordinal));

    private static Activity? StartActivity(WarmupTarget target, GenerationRequest request)
    {
        var activity = WarmupTelemetry.Source.StartActivity("warmup.request", ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("warmup.target", target.Name);
            activity.SetTag("warmup.model", request.Adapter ?? target.Model);
            activity.SetTag("server.address", target.BaseUrl.Host);
            activity.SetTag("server.port", target.BaseUrl.Port);
            activity.SetTag("http.request.method", "POST");
        }

        return activity;
    }

    private static void Record(Activity? activity, ProbeResult result)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        if (result.StatusCode is { } status)
        {
            activity.SetTag("http.response.status_code", status);
        }

        activity.SetTag("warmup.outcome", result.Outcome.ToString());
        if (result.TtftMs is { } ttft)
        {
            activity.SetTag("warmup.ttft_ms", ttft);
        }

        activity.SetTag("warmup.prompt_tokens", result.PromptTokens);
        activity.SetTag("warmup.output_tokens", result.OutputTokens);
        if (!result.IsSuccess)
        {
            activity.SetStatus(ActivityStatusCode.Error, $"{result.Outcome}: {result.Error}");
        }
    }
}
