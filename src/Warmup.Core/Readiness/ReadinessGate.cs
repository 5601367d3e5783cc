using Polly;
using Polly.Retry;
using Polly.Timeout;
using Warmup.Core.Dialects;
using Warmup.Core.Targets;

namespace Warmup.Core.Readiness;

/// <summary>
/// Polls the dialect's readiness signal with exponential backoff until it answers ready or the deadline
/// passes. No fixed sleeps. Connection refused (vLLM, TGI while loading), connection reset, a poll that times
/// out and a not-ready status (llama.cpp 503 "Loading model", SGLang 503 until its own warm-up ends) all mean
/// "not yet". A permanent answer (404: no such route; 401/403: credentials refused) ends the wait at once with
/// <see cref="ReadinessResult.ConfigurationError"/> saying what to fix. Endpoint faults never throw: they end as <c>Ready = false</c> with the last error. Caller
/// cancellation and configuration faults (the authenticator or the dialect throwing) do throw.
/// </summary>
public sealed class ReadinessGate
{
    private static readonly TimeSpan MinDeadline = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxDeadline = TimeSpan.FromDays(1);
    private const int MaxErrorBodyChars = 2048;

    private readonly HttpClient _http;
    private readonly IRequestAuthenticator _authenticator;
    private readonly TimeProvider _time;
    private readonly ReadinessGateOptions _options;

    public ReadinessGate(HttpClient http, IRequestAuthenticator authenticator, TimeProvider time)
        : this(http, authenticator, time, ReadinessGateOptions.Default)
    {
    }

    public ReadinessGate(HttpClient http, IRequestAuthenticator authenticator, TimeProvider time, ReadinessGateOptions options)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _authenticator = authenticator ?? throw new ArgumentNullException(nameof(authenticator));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _options = options ?? throw new ArgumentNullException(nameof(options));
    }

    /// <summary>
    /// Waits until the target answers ready or <paramref name="deadline"/> passes, then asks the dialect once
    /// for the context window (a failure there gives <c>MaxContext = null</c>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The deadline is not between 10 ms and 24 h.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    /// <param name="answers">Told each poll's answer ("HTTP 503 Loading model", "connection refused"), for a live display.</param>
    public async Task<ReadinessResult> WaitAsync(
        WarmupTarget target, IDialect dialect, TimeSpan deadline, CancellationToken cancellationToken, IProgress<string>? answers = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(dialect);
        if (deadline < MinDeadline || deadline > MaxDeadline)
        {
            throw new ArgumentOutOfRangeException(nameof(deadline), deadline, "The readiness deadline must be between 10 ms and 24 h.");
        }

        var polls = new PollLog(answers);
        var started = _time.GetTimestamp();
        var pipeline = BuildPipeline(deadline, polls);
        PollOutcome outcome;
        try
        {
            outcome = await pipeline.ExecuteAsync(ct => PollOnceAsync(target, dialect, polls, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException) when (!cancellationToken.IsCancellationRequested)
        {
            var waited = _time.GetElapsedTime(started).TotalMilliseconds;
            return new ReadinessResult(false, waited, polls.Attempts, polls.LastError ?? "no answer before the deadline");
        }

        if (outcome.Permanent is { } permanent)
        {
            var waited = _time.GetElapsedTime(started).TotalMilliseconds;
            return new ReadinessResult(false, waited, polls.Attempts, polls.LastError, ConfigurationError: permanent);
        }

        if (dialect is IPreloadingDialect preloading
            && await PreloadAsync(target, preloading, deadline - _time.GetElapsedTime(started), cancellationToken).ConfigureAwait(false) is { } preloadError)
        {
            return new ReadinessResult(false, _time.GetElapsedTime(started).TotalMilliseconds, polls.Attempts, preloadError);
        }

        var timeToReady = _time.GetElapsedTime(started).TotalMilliseconds;
        var maxContext = await TryGetMaxContextAsync(target, dialect, cancellationToken).ConfigureAwait(false);
        return new ReadinessResult(true, timeToReady, polls.Attempts, polls.LastError, maxContext);
    }

    /// <summary>
    /// Outer timeout = the deadline; retry = unlimited attempts with capped, jittered exponential backoff while
    /// the server is not ready; inner timeout = one poll. Polly converts the deadline into
    /// <see cref="TimeoutRejectedException"/>, and lets the caller's cancellation through as cancellation.
    /// </summary>
    private ResiliencePipeline<PollOutcome> BuildPipeline(TimeSpan deadline, PollLog polls)
    {
        var attemptTimeout = _options.AttemptTimeout < deadline ? _options.AttemptTimeout : deadline;
        return new ResiliencePipelineBuilder<PollOutcome> { TimeProvider = _time }
            .AddTimeout(new TimeoutStrategyOptions { Timeout = deadline, Name = "readiness-deadline" })
            .AddRetry(new RetryStrategyOptions<PollOutcome>
            {
                Name = "readiness-poll",
                ShouldHandle = new PredicateBuilder<PollOutcome>()
                    .HandleResult(outcome => outcome is { Ready: false, Permanent: null })
                    .Handle<TimeoutRejectedException>(),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.InitialDelay,
                MaxDelay = _options.MaxDelay,
                // Refused costs the server nothing and ends the moment it listens: poll fast so the gate opens within
                // ~RefusedPollInterval of the server's first answer. Anything else (503 while loading) backs off to MaxDelay.
                DelayGenerator = args => new ValueTask<TimeSpan?>(
                    args.Outcome.Result is { Refused: true } ? _options.RefusedPollInterval : null),
                OnRetry = args =>
                {
                    if (args.Outcome.Exception is TimeoutRejectedException)
                    {
                        polls.LastError = ReadinessErrors.TimedOut(attemptTimeout);
                    }

                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(new TimeoutStrategyOptions { Timeout = attemptTimeout, Name = "readiness-attempt" })
            .Build();
    }

    private async ValueTask<PollOutcome> PollOnceAsync(WarmupTarget target, IDialect dialect, PollLog polls, CancellationToken cancellationToken)
    {
        polls.Attempts++;
        using var request = dialect.CreateReadinessRequest(target);
        await _authenticator.AuthenticateAsync(target, request, cancellationToken).ConfigureAwait(false);
        try
        {
            // Buffered on purpose: readiness bodies are tiny and IsReady is synchronous, so it may read them.
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (dialect.IsReady(response))
            {
                return PollOutcome.Open;
            }

            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            polls.LastError = ReadinessErrors.Describe(response.StatusCode, body.Length > MaxErrorBodyChars ? null : body);
            if (dialect is IHttpErrorExplainer explainer && explainer.Explain(target, (int)response.StatusCode) is { } meaning)
            {
                // The front end's own meaning (Azure ML: no such deployment, key refused) makes the permanent answer clearer.
                polls.LastError = $"{polls.LastError} — {meaning}";
            }

            return ReadinessErrors.Permanent(request.RequestUri!, target.BaseUrl, response.StatusCode, polls.LastError) is { } permanent
                ? PollOutcome.GiveUp(permanent)
                : PollOutcome.NotYet;
        }
        catch (HttpRequestException exception)
        {
            polls.LastError = ReadinessErrors.Describe(exception);
            return IsRefused(exception) ? PollOutcome.NotListening : PollOutcome.NotYet;
        }
        catch (IOException exception)
        {
            polls.LastError = ReadinessErrors.Describe(exception);
            return PollOutcome.NotYet;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // A timeout below the attempt's own (the handler's connect timeout): same meaning as an attempt timeout.
            polls.LastError = ReadinessErrors.TimedOut(_options.AttemptTimeout);
            return PollOutcome.NotYet;
        }
    }

    /// <summary>Loads the model of a server that loads lazily (Ollama), within what is left of the deadline.</summary>
    private async Task<string?> PreloadAsync(WarmupTarget target, IPreloadingDialect dialect, TimeSpan remaining, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(remaining > TimeSpan.Zero ? remaining : TimeSpan.FromMilliseconds(1), _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await dialect.PreloadAsync(_http, target, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "the model did not finish loading (preload) before the ready deadline";
        }
        catch (HttpRequestException exception)
        {
            return $"preloading the model failed: {ReadinessErrors.Describe(exception)}";
        }
    }

    private async Task<int?> TryGetMaxContextAsync(WarmupTarget target, IDialect dialect, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.MaxContextTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await dialect.GetMaxContextAsync(_http, target, linked.Token).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // The context window is a nice-to-have for clipping plans; a server that cannot say is still ready.
            return null;
        }
    }

    private static bool IsRefused(HttpRequestException exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused })
            {
                return true;
            }
        }

        return false;
    }

    /// <param name="Refused">Nothing listens yet (connection refused): polled fast, since it costs the server nothing.</param>
    /// <param name="Permanent">Why waiting longer cannot help (a 404 or 401 on the readiness route), or null.</param>
    private readonly record struct PollOutcome(bool Ready, bool Refused = false, string? Permanent = null)
    {
        public static PollOutcome Open => new(true);
        public static PollOutcome NotYet => new(false);
        public static PollOutcome NotListening => new(false, Refused: true);
        public static PollOutcome GiveUp(string why) => new(false, Permanent: why);
    }

    /// <summary>What the polls of one wait saw; written by one poll at a time (the retry loop is sequential).</summary>
    private sealed class PollLog(IProgress<string>? answers)
    {
        private string? _lastError;

        public int Attempts { get; set; }

        public string? LastError
        {
            get => _lastError;
            set
            {
                _lastError = value;
                if (value is not null)
                {
                    answers?.Report(value);
                }
            }
        }
    }
}
