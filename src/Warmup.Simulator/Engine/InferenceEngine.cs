using System.Threading.Channels;
using Warmup.Simulator.Metrics;

namespace Warmup.Simulator.Engine;

/// <summary>
/// The simulated vLLM engine: one loop doing continuous batching. Each step admits waiting
/// sequences (up to maxNumSeqs and the token budget), charges cold-start penalties, models the step
/// duration (prefill of the newcomers + one decode token for every running sequence), waits until
/// the step's deadline and then hands one token to every running sequence. Concurrency therefore
/// changes the batch size, the capture size and the inter-token latency of everybody.
/// </summary>
internal sealed class InferenceEngine
{
    private static readonly string[] s_words =
    [
        "the", "model", "is", "warm", "now", "and", "fast", "every", "token", "flows", "from", "graph",
        "cache", "to", "user", "a", "GPU", "runs", "batch", "of", "text", "with", "low", "delay",
    ];

    // Beyond this lag the engine stops "catching up" on missed deadlines and restarts its timeline at now.
    private static readonly long s_maxCatchUpNs = SimClock.MsToNs(250);

    private readonly SimulatorProfile _profile;
    private readonly SimClock _clock;
    private readonly SimMetrics _metrics;
    // Replaced whole when the server restarts (Restart): a new process has warmed nothing.
    private ColdStartState _cold;
    private PrefixCache _prefixCache;
    private readonly Random _jitter;
    private readonly Channel<SimSequence> _arrivals = Channel.CreateUnbounded<SimSequence>(new UnboundedChannelOptions { SingleReader = true });
    private readonly LinkedList<SimSequence> _waiting = new();
    private readonly List<SimSequence> _running = [];
    private readonly Lock _stateLock = new();
    private long _lastActivityUnixNs;
    private int _pendingArrivals;
    private long _lastDeadlineUnixNs;

    public InferenceEngine(SimulatorProfile profile, SimClock clock, SimMetrics metrics)
    {
        _profile = profile;
        _clock = clock;
        _metrics = metrics;
        _cold = new ColdStartState(profile);
        _prefixCache = new PrefixCache(profile.BlockSize, profile.KvCacheBlocks);
        _jitter = new Random(profile.Seed);
    }

    public static string WordFor(int index, Random random) => " " + s_words[random.Next(s_words.Length)];

    /// <summary>Queues a sequence; false when the engine has stopped (the caller answers 503).</summary>
    public bool Submit(SimSequence sequence)
    {
        if (!_arrivals.Writer.TryWrite(sequence))
        {
            return false;
        }

        Interlocked.Increment(ref _pendingArrivals);
        _metrics.Waiting = _waiting.Count + Volatile.Read(ref _pendingArrivals);
        return true;
    }

    /// <summary>
    /// The server came back as a new process (a restart fault): everything it compiled, captured, loaded, allocated and
    /// cached is gone, and its metrics start again (<see cref="SimMetrics.Restart"/>). Sequences already running keep
    /// running (their connections are the host's to drop).
    /// </summary>
    public void Restart()
    {
        lock (_stateLock)
        {
            _cold = new ColdStartState(_profile);
            _prefixCache = new PrefixCache(_profile.BlockSize, _profile.KvCacheBlocks);
        }

        _metrics.Restart();
    }

    public SimulatorState Snapshot()
    {
        lock (_stateLock)
        {
            return _cold.Snapshot();
        }
    }

    public async Task RunAsync(CancellationToken ct)
    {
        _lastActivityUnixNs = _clock.NowUnixNs;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                if (_running.Count == 0 && _waiting.Count == 0 && !await _arrivals.Reader.WaitToReadAsync(ct))
                {
                    return;
                }

                var deadline = PlanStep();
                if (deadline is null)
                {
                    continue;
                }

                await WaitUntilAsync(deadline.Value, ct);
                EmitTokens(deadline.Value);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            _arrivals.Writer.TryComplete();
            AbortAll();
        }
    }

    /// <summary>
    /// Timers tick in whole milliseconds and may fire up to 1 ms early, so the last stretch is a
    /// yielding spin: a token is never handed out before its modelled time.
    /// </summary>
    private async Task WaitUntilAsync(long deadlineUnixNs, CancellationToken ct)
    {
        var remainingNs = deadlineUnixNs - _clock.NowUnixNs;
        if (remainingNs > 2_000_000)
        {
            await Task.Delay(TimeSpan.FromTicks((remainingNs - 1_000_000) / 100), ct);
        }

        while (_clock.NowUnixNs < deadlineUnixNs)
        {
            ct.ThrowIfCancellationRequested();
            Thread.Yield();
        }
    }

    private SimSequence[] _stepMembers = [];
    private readonly List<(string Name, double Ms)> _stepPenalties = [];

    /// <summary>Admits sequences, charges penalties and returns the step deadline (null when there is nothing to run).</summary>
    private long? PlanStep()
    {
        lock (_stateLock)
        {
            while (_arrivals.Reader.TryRead(out var arrived))
            {
                Interlocked.Decrement(ref _pendingArrivals);
                _waiting.AddLast(arrived);
            }

            DropAborted();
            if (_running.Count == 0 && _waiting.Count == 0)
            {
                return null;
            }

            var now = _clock.NowUnixNs;
            var wasIdle = _running.Count == 0;
            var stepStart = !wasIdle && now - _lastDeadlineUnixNs < s_maxCatchUpNs ? _lastDeadlineUnixNs : now;
            var scale = _profile.TimeScale;
            _stepPenalties.Clear();

            if (wasIdle && stepStart - _lastActivityUnixNs > SimClock.MsToNs(_profile.IdleAfterMs * scale) && _profile.IdleRampMs > 0)
            {
                _stepPenalties.Add(("idle", _profile.IdleRampMs));
            }

            var decoders = _running.Count;
            var admitted = Admit(decoders, out var prefillTokens);

            var batch = _running.Count;
            var captureSize = _cold.CaptureSizeFor(batch);
            if (captureSize is { } size && _cold.CaptureGraph(size))
            {
                _stepPenalties.Add(($"graph:{size}", _profile.GraphCaptureMs));
            }

            long residentBlocks = 0;
            foreach (var s in _running)
            {
                residentBlocks += (s.PromptTokens + s.Generated + 1 + _profile.BlockSize - 1) / _profile.BlockSize;
            }

            var grownBlocks = _cold.GrowKv(residentBlocks);
            if (grownBlocks > 0)
            {
                _stepPenalties.Add(($"kv:+{grownBlocks}blocks", grownBlocks / _profile.KvAllocChunkBlocks * _profile.KvAllocMsPerChunk));
            }

            _metrics.KvCacheUsage = Math.Min(1.0, (double)residentBlocks / _profile.KvCacheBlocks);

            var steadyMs = 0.0;
            if (admitted > 0)
            {
                steadyMs += _profile.PrefillStepBaseMs + _profile.PrefillMsPerToken * prefillTokens;
            }

            if (decoders > 0)
            {
                steadyMs += _profile.DecodeStepMs * (1 + _profile.BatchSlowdownPerSeq * (batch - 1)) * (captureSize is null ? _profile.EagerDecodeFactor : 1);
            }

            steadyMs *= 1 + _profile.JitterFraction * Math.Clamp(NextGaussian(), -3, 3);
            var totalMs = Math.Max(0, steadyMs) * scale;
            foreach (var (name, ms) in _stepPenalties)
            {
                var scaled = ms * scale;
                totalMs += scaled;
                _metrics.Penalty(PenaltyKind(name), scaled / 1000);
                foreach (var s in _running)
                {
                    s.Charge(name, scaled);
                }
            }

            _stepMembers = [.. _running];
            _metrics.Running = _running.Count;
            _metrics.Waiting = _waiting.Count;
            _metrics.LoraRequests(_running.Select(r => r.Adapter), _waiting.Select(w => w.Adapter), stepStart / 1e9);
            return stepStart + SimClock.MsToNs(totalMs);
        }
    }

    /// <summary>"jit:2048" → "jit", "kv:+256blocks" → "kv": the kind a penalty is counted under in /metrics.</summary>
    internal static string PenaltyKind(string name)
    {
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? name : name[..colon];
    }

    private int Admit(int decoders, out int prefillTokens)
    {
        prefillTokens = 0;
        var admitted = 0;
        var budget = _profile.MaxNumBatchedTokens - decoders;
        long usedBlocks = 0;
        foreach (var s in _running)
        {
            usedBlocks += (s.PromptTokens + s.MaxTokens + _profile.BlockSize - 1) / _profile.BlockSize;
        }

        while (_waiting.First is { } node && _running.Count < _profile.MaxNumSeqs)
        {
            var s = node.Value;
            var cached = _profile.PrefixCaching ? _prefixCache.Match(s) : 0;
            var computed = Math.Max(1, s.PromptTokens - cached);
            var blocks = (s.PromptTokens + s.MaxTokens + _profile.BlockSize - 1) / _profile.BlockSize;
            if (admitted > 0 && computed > budget)
            {
                break;
            }

            if (_running.Count > 0 && usedBlocks + blocks > _profile.KvCacheBlocks)
            {
                break;
            }

            _waiting.RemoveFirst();
            _running.Add(s);
            admitted++;
            budget -= computed;
            usedBlocks += blocks;
            prefillTokens += computed;
            if (_profile.PrefixCaching)
            {
                _prefixCache.Insert(s);
            }

            s.CachedTokens = cached;
            s.ComputedTokens = computed;
            s.Bucket = _cold.BucketFor(computed);
            _metrics.Admitted(s.PromptTokens, cached);

            if (_cold.Initialise() && _profile.FirstRequestInitMs > 0)
            {
                _stepPenalties.Add(("init", _profile.FirstRequestInitMs));
            }

            if (_cold.CompileBucket(s.Bucket))
            {
                _stepPenalties.Add(($"jit:{s.Bucket}", _profile.JitCompileBaseMs + _profile.JitCompileMsPerToken * s.Bucket));
            }

            if (s.Adapter is { } adapter && _cold.UseAdapter(adapter))
            {
                var load = _profile.LoraAdapters.First(a => a.Name == adapter).LoadMs;
                _stepPenalties.Add(($"lora:{adapter}", load));
            }
        }

        return admitted;
    }

    private void EmitTokens(long deadline)
    {
        lock (_stateLock)
        {
            foreach (var s in _stepMembers)
            {
                if (s.Aborted)
                {
                    continue;
                }

                var index = s.Generated++;
                var first = index == 0;
                var eos = !s.IgnoreEos && index >= s.MinTokens && s.Random.NextDouble() < _profile.EosProbability;
                var text = eos ? "" : WordFor(index, s.Random);
                var finish = eos ? "stop" : s.Generated >= s.MaxTokens ? "length" : null;
                if (first)
                {
                    s.FirstTokenDueUnixNs = deadline;
                }

                _metrics.Token(first, (deadline - (first ? s.ArrivalUnixNs : _lastDeadlineUnixNs)) / 1e9);
                s.Tokens.Writer.TryWrite(new EngineToken(index, text, finish, deadline));
                if (finish is not null)
                {
                    s.FinishReason = finish;
                    s.Tokens.Writer.TryComplete();
                    _running.Remove(s);
                    _metrics.Finished(finish, (deadline - s.ArrivalUnixNs) / 1e9, s.PromptTokens, s.Generated);
                }
            }

            _lastDeadlineUnixNs = deadline;
            _lastActivityUnixNs = deadline;
            DropAborted();
            _metrics.Running = _running.Count;
            _metrics.Waiting = _waiting.Count + Volatile.Read(ref _pendingArrivals);
        }
    }

    private void DropAborted()
    {
        for (var i = _running.Count - 1; i >= 0; i--)
        {
            if (_running[i].Aborted)
            {
                Finish(_running[i]);
                _running.RemoveAt(i);
            }
        }

        for (var node = _waiting.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value.Aborted)
            {
                Finish(node.Value);
                _waiting.Remove(node);
            }

            node = next;
        }

        void Finish(SimSequence s)
        {
            s.FinishReason ??= "abort";
            s.Tokens.Writer.TryComplete();
            _metrics.Finished("abort", 0, s.PromptTokens, s.Generated);
        }
    }

    private void AbortAll()
    {
        lock (_stateLock)
        {
            while (_arrivals.Reader.TryRead(out var arrived))
            {
                Interlocked.Decrement(ref _pendingArrivals);
                _waiting.AddLast(arrived);
            }

            foreach (var s in _running.Concat(_waiting))
            {
                s.Abort();
            }

            DropAborted();
        }
    }

    private double NextGaussian()
    {
        // Box-Muller; the seeded generator keeps the jitter sequence reproducible for a given arrival order.
        var u1 = 1.0 - _jitter.NextDouble();
        var u2 = _jitter.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
