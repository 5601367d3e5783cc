using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Warmup.Simulator.Engine;
using Warmup.Simulator.Faults;

namespace Warmup.Simulator.Api;

/// <summary>
/// Serves /v1/completions, /v1/chat/completions and the legacy /generate: validates, applies the
/// fault plan, submits the sequence to the engine and streams its tokens. Response headers are
/// deferred until the first token exists (as a server that starts the stream when prefill is done),
/// so they can carry the modelled penalties and the first token's send time.
/// </summary>
internal sealed class GenerationHandler(
    SimulatorProfile profile,
    SimClock clock,
    InferenceEngine engine,
    SimulatorLog log,
    FaultInjector faults,
    CancellationToken stopping)
{
    public const string RequestIdHeader = "x-request-id";
    public const string PenaltiesHeader = "x-sim-penalties";
    public const string FirstTokenHeader = "x-sim-first-token-unix-ns";

    private static readonly TimeSpan ResetGrace = TimeSpan.FromMilliseconds(100);

    private long _requestCount;

    public async Task HandleAsync(HttpContext ctx, WireKind kind)
    {
        var arrival = clock.NowUnixNs;
        var number = Interlocked.Increment(ref _requestCount);
        var endpoint = ctx.Request.Path.Value ?? "";
        var id = NewId(ctx, kind);
        ctx.Response.Headers[RequestIdHeader] = id;

        GenerationRequest request;
        string? adapter;
        try
        {
            using var body = await JsonDocument.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
            request = GenerationRequestParser.Parse(kind, body.RootElement, profile);
            adapter = ResolveModel(request.Model, out var known);
            if (!known)
            {
                await ApiErrors.WriteAsync(ctx, profile.ErrorStyle, 404, "NotFoundError", $"The model `{request.Model}` does not exist.");
                return;
            }

            CheckContextLength(request);
        }
        catch (JsonException ex)
        {
            await ApiErrors.WriteAsync(ctx, profile.ErrorStyle, 400, "BadRequestError", $"JSON decode error: {ex.Message}");
            return;
        }
        catch (BadRequestException ex)
        {
            await ApiErrors.WriteAsync(ctx, profile.ErrorStyle, 400, "BadRequestError", ex.Message);
            return;
        }

        var record = new RequestRecord
        {
            RequestId = id,
            Endpoint = endpoint,
            Model = request.Model,
            Adapter = adapter,
            PromptTokens = request.PromptTokenIds.Length,
            ArrivalUnixNs = arrival,
        };

        var fault = faults.Next();
        if (fault is not null)
        {
            record = record with { Fault = fault.Kind.ToString() };
            if (await AnswerBeforeEngineAsync(ctx, fault, record))
            {
                return;
            }
        }

        var maxTokens = request.MaxTokens ?? (kind == WireKind.ChatCompletions
            ? profile.MaxModelLen - request.PromptTokenIds.Length
            : profile.DefaultMaxTokens);
        var sequence = new SimSequence(id, request.Model, adapter, request.PromptTokenIds, request.CacheSalt,
            maxTokens, request.MinTokens, request.IgnoreEos, request.Seed ?? unchecked((profile.Seed * 1_000_003) + (int)number), arrival);
        if (!engine.Submit(sequence))
        {
            await ApiErrors.WriteAsync(ctx, profile.ErrorStyle, 503, "ServiceUnavailableError", "The engine is not running (the simulator is stopping).");
            log.Add(record with { Status = 503, FinishReason = "error" });
            return;
        }

        var promptTokens = request.PromptTokenIds.Length;
        ResponseFormat format = kind switch
        {
            WireKind.Completions => new CompletionsFormat(id, request.Model, arrival / 1_000_000_000),
            WireKind.ChatCompletions => new ChatFormat(id, request.Model, arrival / 1_000_000_000),
            WireKind.TgiGenerateStream => new TgiFormat(promptTokens),
            WireKind.SglangGenerate => new SglangFormat(id, promptTokens, () => sequence.CachedTokens),
            WireKind.LlamaCompletion => new LlamaCompletionFormat(request.Model, promptTokens, arrival, () => clock.NowUnixNs),
            WireKind.OllamaGenerate or WireKind.OllamaChat => new OllamaFormat(
                request.Model, kind == WireKind.OllamaChat, promptTokens, arrival, () => clock.NowUnixNs),
            WireKind.TritonGenerateStream => new TritonFormat(request.Model),
            _ => new LegacyGenerateFormat(request.PromptText),
        };

        var streamFault = fault?.Kind is FaultKind.StallMidstream or FaultKind.ResetMidstream or FaultKind.MalformedChunk or FaultKind.ErrorAfter200 ? fault : null;
        var outcome = request.Stream
            ? await StreamAsync(ctx, request, sequence, format, streamFault)
            : await RespondOnceAsync(ctx, request, sequence, format);
        log.Add(record with
        {
            CachedPromptTokens = sequence.CachedTokens,
            ComputedPromptTokens = sequence.ComputedTokens,
            Bucket = sequence.Bucket,
            CompletionTokens = outcome.Chunks.Count,
            FinishReason = outcome.FinishReason,
            Status = ctx.Response.StatusCode,
            FirstTokenDueUnixNs = sequence.FirstTokenDueUnixNs,
            FirstTokenSentUnixNs = outcome.Chunks.Count > 0 ? outcome.Chunks[0].SentUnixNs : 0,
            Penalties = sequence.Penalties(),
            Chunks = outcome.Chunks,
        });
    }

    private sealed record Outcome(string FinishReason, IReadOnlyList<ChunkTiming> Chunks);

    private async Task<Outcome> StreamAsync(HttpContext ctx, GenerationRequest request, SimSequence sequence, ResponseFormat format, FaultRule? fault)
    {
        var ct = ctx.RequestAborted;
        var response = ctx.Response;
        var output = response.BodyWriter;
        var chunks = new List<ChunkTiming>();
        var started = false;
        try
        {
            if (await FirstByteTooLateAsync(ctx, sequence))
            {
                return new Outcome("timeout", chunks);
            }

            await foreach (var token in sequence.Tokens.Reader.ReadAllAsync(ct))
            {
                if (!started)
                {
                    started = true;
                    StartResponse(response, sequence, format.ContentType);
                    format.WriteStart(output);
                }

                if (fault is not null && chunks.Count == fault.AfterTokens)
                {
                    switch (fault.Kind)
                    {
                        case FaultKind.StallMidstream:
                            await output.FlushAsync(ct);
                            using (var stall = CancellationTokenSource.CreateLinkedTokenSource(ct, stopping))
                            {
                                await FaultDelay.WaitAsync(fault.Duration, stall.Token);
                            }

                            break;
                        case FaultKind.ResetMidstream:
                            await output.FlushAsync(ct);

                            // A reset discards whatever the client has not read yet; a short pause lets the
                            // sent chunks arrive first, so the client sees "some tokens, then a reset".
                            await Task.Delay(ResetGrace, ct);
                            sequence.Abort();
                            ctx.Abort();
                            return new Outcome("abort", chunks);
                        case FaultKind.MalformedChunk:
                            format.WriteMalformed(output);
                            break;
                        case FaultKind.ErrorAfter200:
                            format.WriteStreamError(output, ApiErrors.Body(profile.ErrorStyle, "Simulated engine error after the stream started.", "InternalServerError", 500));
                            await output.FlushAsync(ct);
                            sequence.Abort();
                            return new Outcome("error", chunks);
                    }
                }

                format.WriteToken(output, token.Text, token.FinishReason);
                await output.FlushAsync(ct);
                chunks.Add(new ChunkTiming(token.Index, token.DueUnixNs, clock.NowUnixNs));
            }

            if (sequence.FinishReason is null or "abort")
            {
                // The engine stopped (server shutdown): end the body without a terminal marker, like a dropped stream.
                return new Outcome("abort", chunks);
            }

            if (!started)
            {
                StartResponse(response, sequence, format.ContentType);
            }

            format.WriteEnd(output, request.IncludeUsage ? UsageOf(sequence, chunks.Count) : null);
            await output.FlushAsync(ct);
            return new Outcome(sequence.FinishReason, chunks);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            sequence.Abort();
            return new Outcome("abort", chunks);
        }
    }

    private async Task<Outcome> RespondOnceAsync(HttpContext ctx, GenerationRequest request, SimSequence sequence, ResponseFormat format)
    {
        var ct = ctx.RequestAborted;
        var text = new StringBuilder();
        var due = new List<EngineToken>();
        // Without a stream the first byte is the whole answer: a front-end deadline covers all of it.
        var deadline = FirstByteDeadline(ctx);
        using var whole = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline);
        try
        {
            await foreach (var token in sequence.Tokens.Reader.ReadAllAsync(whole.Token))
            {
                if (due.Count == 0)
                {
                    StartResponse(ctx.Response, sequence, "application/json");
                }

                text.Append(token.Text);
                due.Add(token);
            }
        }
        catch (OperationCanceledException)
        {
            sequence.Abort();
            if (deadline.IsCancellationRequested && !ct.IsCancellationRequested && !ctx.Response.HasStarted)
            {
                await AzureMlFrontEnd.RequestTimeoutAsync(ctx);
                return new Outcome("timeout", []);
            }

            return new Outcome("abort", []);
        }

        if (sequence.FinishReason is null or "abort")
        {
            ctx.Abort();
            return new Outcome("abort", []);
        }

        var buffer = new ArrayBufferWriter<byte>();
        format.WriteNonStream(buffer, text.ToString(), sequence.FinishReason, UsageOf(sequence, due.Count));
        await ctx.Response.Body.WriteAsync(buffer.WrittenMemory, ct);
        await ctx.Response.Body.FlushAsync(ct);
        var sent = clock.NowUnixNs;
        return new Outcome(sequence.FinishReason, due.Select(t => new ChunkTiming(t.Index, t.DueUnixNs, sent)).ToList());
    }

    /// <summary>Behind a front end with a request timeout (Azure ML), the deadline for the response's first byte; else none.</summary>
    private static CancellationToken FirstByteDeadline(HttpContext ctx) =>
        ctx.Items.TryGetValue(AzureMlFrontEnd.FirstByteDeadline, out var item) && item is CancellationToken deadline ? deadline : CancellationToken.None;

    /// <summary>
    /// True when the front end's deadline passed before the first token: the front end has answered 408 and the
    /// sequence is aborted (the cold work it already paid, a compile, stays done, as on a real server).
    /// </summary>
    private static async Task<bool> FirstByteTooLateAsync(HttpContext ctx, SimSequence sequence)
    {
        var deadline = FirstByteDeadline(ctx);
        if (!deadline.CanBeCanceled)
        {
            return false;
        }

        using var first = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, deadline);
        try
        {
            await sequence.Tokens.Reader.WaitToReadAsync(first.Token);
            return false;
        }
        catch (OperationCanceledException) when (!ctx.RequestAborted.IsCancellationRequested)
        {
            sequence.Abort();
            await AzureMlFrontEnd.RequestTimeoutAsync(ctx);
            return true;
        }
    }

    private void StartResponse(HttpResponse response, SimSequence sequence, string contentType)
    {
        response.StatusCode = 200;
        response.ContentType = contentType;
        response.Headers[PenaltiesHeader] = FormatPenalties(sequence.Penalties());
        response.Headers[FirstTokenHeader] = clock.NowUnixNs.ToString(CultureInfo.InvariantCulture);
    }

    internal static string FormatPenalties(IReadOnlyList<ChargedPenalty> penalties)
    {
        var cold = penalties.Where(p => p.BeforeFirstToken).ToList();
        return cold.Count == 0
            ? "none"
            : string.Join(',', cold.Select(p => $"{p.Name}={p.Ms.ToString("0.###", CultureInfo.InvariantCulture)}ms"));
    }

    private Usage UsageOf(SimSequence sequence, int completionTokens) =>
        new(sequence.PromptTokens, completionTokens, profile.EnablePromptTokensDetails ? sequence.CachedTokens : null);

    /// <summary>Faults that answer before the engine sees the request. Returns true when the request was answered.</summary>
    private async Task<bool> AnswerBeforeEngineAsync(HttpContext ctx, FaultRule fault, RequestRecord record)
    {
        switch (fault.Kind)
        {
            case FaultKind.ServiceUnavailable:
                await ApiErrors.WriteAsync(ctx, profile.ErrorStyle, 503, "ServiceUnavailableError", "Simulated: the engine is overloaded or restarting.");
                log.Add(record with { Status = 503, FinishReason = "error" });
                return true;
            case FaultKind.TooManyRequests:
                ctx.Response.Headers.RetryAfter = fault.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                await ApiErrors.WriteAsync(ctx, profile.ErrorStyle, 429, "RateLimitError", "Simulated: too many requests.");
                log.Add(record with { Status = 429, FinishReason = "error" });
                return true;
            case FaultKind.DieAndReturn or FaultKind.Restart:
                if (fault.Kind == FaultKind.Restart)
                {
                    engine.Restart();
                }

                log.Add(record with { Status = 0, FinishReason = "abort" });
                ctx.Abort();
                return true;
            case FaultKind.SlowerAndSlower:
                try
                {
                    using var slow = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping);
                    await FaultDelay.WaitAsync(fault.Duration, slow.Token);
                    return false;
                }
                catch (OperationCanceledException)
                {
                    log.Add(record with { Status = 0, FinishReason = "abort" });
                    ctx.Abort();
                    return true;
                }

            case FaultKind.HangBeforeHeaders:
                try
                {
                    // A hang ends when the client gives up or the simulator stops (which then drops the connection).
                    using var hang = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping);
                    await FaultDelay.WaitAsync(fault.Duration, hang.Token);
                    return false;
                }
                catch (OperationCanceledException)
                {
                    log.Add(record with { Status = 0, FinishReason = "abort" });
                    ctx.Abort();
                    return true;
                }

            default:
                return false;
        }
    }

    /// <summary>Null for the base model, the adapter name for a LoRA adapter; <paramref name="known"/> false for anything else.</summary>
    private string? ResolveModel(string model, out bool known)
    {
        known = true;
        if (model == profile.Model)
        {
            return null;
        }

        if (profile.LoraAdapters.Any(a => a.Name == model))
        {
            return model;
        }

        known = false;
        return null;
    }

    private void CheckContextLength(GenerationRequest request)
    {
        var prompt = request.PromptTokenIds.Length;
        var completion = request.MaxTokens ?? (request.Kind == WireKind.ChatCompletions ? 0 : profile.DefaultMaxTokens);
        if (prompt == 0)
        {
            throw new BadRequestException("The prompt must contain at least one token.");
        }

        if (prompt + completion > profile.MaxModelLen || (request.Kind == WireKind.ChatCompletions && prompt >= profile.MaxModelLen))
        {
            throw new BadRequestException(
                $"This model's maximum context length is {profile.MaxModelLen} tokens. However, you requested {prompt + completion} tokens " +
                $"({prompt} in the messages, {completion} in the completion). Please reduce the length of the messages or completion.");
        }
    }

    private static string NewId(HttpContext ctx, WireKind kind)
    {
        var prefix = kind switch
        {
            WireKind.Completions => "cmpl-",
            WireKind.ChatCompletions => "chatcmpl-",
            WireKind.LegacyGenerate => "generate-",
            _ => "",
        };
        var supplied = ctx.Request.Headers[RequestIdHeader].ToString();
        return prefix + (string.IsNullOrWhiteSpace(supplied) ? Guid.NewGuid().ToString("N") : supplied.Trim());
    }
}
