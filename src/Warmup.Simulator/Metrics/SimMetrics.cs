using System.Globalization;
using System.Text;

namespace Warmup.Simulator.Metrics;

/// <summary>vLLM's Prometheus metrics (current names, §2.8 of the protocol reference), label model_name + engine.</summary>
/// <param name="maxModelLen">Tops the request size histograms' buckets, as vLLM's build_1_2_5_buckets(max_model_len) does.</param>
/// <param name="maxLoras">Adapters the engine holds at once; with <paramref name="servesAdapters"/> it is exported in vllm:lora_requests_info.</param>
internal sealed class SimMetrics(string modelName, int maxModelLen = 8192, int maxLoras = 4, bool servesAdapters = false)
{
    // vLLM v1/metrics/loggers.py bucket boundaries.
    private static readonly double[] s_ttftBuckets = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0];
    private static readonly double[] s_itlBuckets = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0];
    private static readonly double[] s_e2eBuckets = [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0];

    private readonly Lock _lock = new();
    private Histogram _ttft = new(s_ttftBuckets);
    private Histogram _itl = new(s_itlBuckets);
    private Histogram _e2e = new(s_e2eBuckets);
    private Histogram _promptLengths = new(OneTwoFiveBuckets(maxModelLen));
    private Histogram _generationLengths = new(OneTwoFiveBuckets(maxModelLen));
    private readonly Dictionary<(string Running, string Waiting), double> _loraInfo = [];
    private readonly Dictionary<string, long> _success = new() { ["stop"] = 0, ["length"] = 0, ["abort"] = 0 };
    private long _promptTokens;
    private long _generationTokens;
    private long _prefixQueries;
    private long _prefixHits;
    private readonly SortedDictionary<string, (long Count, double Seconds)> _penalties = new(StringComparer.Ordinal);

    /// <summary>
    /// When the serving process started (unix seconds), exported as prometheus_client's process collector does in a
    /// single-process server: process_start_time_seconds. A restart sets it anew.
    /// </summary>
    public double StartTimeSeconds { get; private set; } = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    public int Running { get; set; }
    public int Waiting { get; set; }
    public double KvCacheUsage { get; set; }

    public void Admitted(int promptTokens, int cachedTokens)
    {
        lock (_lock)
        {
            _promptTokens += promptTokens;
            _prefixQueries += promptTokens;
            _prefixHits += cachedTokens;
        }
    }

    public void Token(bool first, double secondsSinceArrivalOrPrevious)
    {
        lock (_lock)
        {
            _generationTokens++;
            (first ? _ttft : _itl).Observe(secondsSinceArrivalOrPrevious);
        }
    }

    /// <summary>One cold-start penalty the engine paid (counted once per step it was charged in, whatever the batch).</summary>
    public void Penalty(string kind, double seconds)
    {
        lock (_lock)
        {
            var (count, total) = _penalties.GetValueOrDefault(kind);
            _penalties[kind] = (count + 1, total + seconds);
        }
    }

    /// <summary>A request left the engine: its prompt and generated lengths go into the size histograms, as vLLM counts every finished request.</summary>
    public void Finished(string reason, double e2eSeconds, int promptTokens, int generatedTokens)
    {
        lock (_lock)
        {
            _success[reason] = _success.GetValueOrDefault(reason) + 1;
            _promptLengths.Observe(promptTokens);
            _generationLengths.Observe(generatedTokens);
            if (reason != "abort")
            {
                _e2e.Observe(e2eSeconds);
            }
        }
    }

    /// <summary>
    /// The adapters of the running and waiting requests now. vLLM sets vllm:lora_requests_info to the time for the
    /// label set of the moment, and prometheus_client keeps every label set it was ever given: one series per
    /// combination seen, valued at the last time it was seen.
    /// </summary>
    public void LoraRequests(IEnumerable<string?> running, IEnumerable<string?> waiting, double unixSeconds)
    {
        if (!servesAdapters)
        {
            return;
        }

        var key = (Join(running), Join(waiting));
        lock (_lock)
        {
            if (key is not ("", "") || _loraInfo.Count == 0)
            {
                _loraInfo[key] = unixSeconds;
            }
        }

        static string Join(IEnumerable<string?> adapters) =>
            string.Join(',', adapters.OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// The server came back as a new process (a restart fault): every series a real server exports starts from zero and
    /// the start time is now. The simulator's own cold-penalty counters are kept: they are test instrumentation, like
    /// /sim/log, and count what a user met across the restart.
    /// </summary>
    public void Restart()
    {
        lock (_lock)
        {
            _ttft = new Histogram(s_ttftBuckets);
            _itl = new Histogram(s_itlBuckets);
            _e2e = new Histogram(s_e2eBuckets);
            _promptLengths = new Histogram(OneTwoFiveBuckets(maxModelLen));
            _generationLengths = new Histogram(OneTwoFiveBuckets(maxModelLen));
            _loraInfo.Clear();
            foreach (var reason in _success.Keys)
            {
                _success[reason] = 0;
            }

            _promptTokens = _generationTokens = _prefixQueries = _prefixHits = 0;
            StartTimeSeconds = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        }
    }

    /// <summary>Prompt tokens, generated tokens and finished requests (not aborted) so far.</summary>
    public (long Prompt, long Generation, long Success) Totals()
    {
        lock (_lock)
        {
            return (_promptTokens, _generationTokens, _success.Where(kv => kv.Key != "abort").Sum(kv => kv.Value));
        }
    }

    public string Render()
    {
        var labels = $"engine=\"0\",model_name=\"{Escape(modelName)}\"";
        var sb = new StringBuilder();
        lock (_lock)
        {
            Gauge(sb, "vllm:num_requests_running", "Number of requests in model execution batches.", labels, Running);
            Gauge(sb, "vllm:num_requests_waiting", "Number of requests waiting to be processed.", labels, Waiting);
            Gauge(sb, "vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", labels, KvCacheUsage);
            Counter(sb, "vllm:prefix_cache_queries", "Prefix cache queries, in terms of number of queried tokens.", [(labels, _prefixQueries)]);
            Counter(sb, "vllm:prefix_cache_hits", "Prefix cache hits, in terms of number of cached tokens.", [(labels, _prefixHits)]);
            Counter(sb, "vllm:num_preemptions", "Cumulative number of preemption from the engine.", [(labels, 0)]);
            Counter(sb, "vllm:prompt_tokens", "Number of prefill tokens processed.", [(labels, _promptTokens)]);
            Counter(sb, "vllm:generation_tokens", "Number of generation tokens processed.", [(labels, _generationTokens)]);
            Counter(sb, "vllm:request_success", "Count of successfully processed requests.",
                _success.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => ($"{labels},finished_reason=\"{kv.Key}\"", (double)kv.Value)).ToList());
            _ttft.Render(sb, "vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", labels);
            _itl.Render(sb, "vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", labels);
            _e2e.Render(sb, "vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.", labels);
            _promptLengths.Render(sb, "vllm:request_prompt_tokens", "Number of prefill tokens processed.", labels);
            _generationLengths.Render(sb, "vllm:request_generation_tokens", "Number of generation tokens processed.", labels);
            sb.Append("# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n# TYPE process_start_time_seconds gauge\n")
                .Append("process_start_time_seconds ").Append(Format(StartTimeSeconds)).Append('\n');
            if (_loraInfo.Count > 0)
            {
                sb.Append("# HELP vllm:lora_requests_info Running stats on lora requests.\n# TYPE vllm:lora_requests_info gauge\n");
                foreach (var ((running, waiting), time) in _loraInfo.OrderBy(kv => kv.Value))
                {
                    sb.Append("vllm:lora_requests_info{max_lora=\"").Append(maxLoras).Append("\",running_lora_adapters=\"").Append(Escape(running))
                        .Append("\",waiting_lora_adapters=\"").Append(Escape(waiting)).Append("\"} ").Append(Format(time)).Append('\n');
                }
            }

            // Simulator-only series (no real server exports them): the cold paths it modelled, by kind, so tests and
            // benchmarks can count what a user mix still met after a warm-up.
            Counter(sb, "sim:cold_penalties", "Cold-start penalties paid, by kind (init, jit, graph, kv, lora, idle).",
                _penalties.Select(kv => ($"{labels},kind=\"{kv.Key}\"", (double)kv.Value.Count)).ToList());
            Counter(sb, "sim:cold_penalty_seconds", "Modelled time spent in cold-start penalties, by kind.",
                _penalties.Select(kv => ($"{labels},kind=\"{kv.Key}\"", kv.Value.Seconds)).ToList());
        }

        return sb.ToString();
    }

    private static void Gauge(StringBuilder sb, string name, string help, string labels, double value)
    {
        sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        sb.Append("# TYPE ").Append(name).Append(" gauge\n");
        sb.Append(name).Append('{').Append(labels).Append("} ").Append(Format(value)).Append('\n');
    }

    // prometheus_client convention: the TYPE line names the counter without _total, samples carry _total.
    private static void Counter(StringBuilder sb, string name, string help, IReadOnlyList<(string Labels, double Value)> samples)
    {
        sb.Append("# HELP ").Append(name).Append("_total ").Append(help).Append('\n');
        sb.Append("# TYPE ").Append(name).Append(" counter\n");
        foreach (var (labels, value) in samples)
        {
            sb.Append(name).Append("_total{").Append(labels).Append("} ").Append(Format(value)).Append('\n');
        }
    }

    internal static string Format(double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            return "+Inf";
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.') || text.Contains('E') ? text : text + ".0";
    }

    /// <summary>vLLM's build_1_2_5_buckets: 1, 2, 5, 10, 20, 50, ... up to the context window.</summary>
    private static double[] OneTwoFiveBuckets(int max)
    {
        var bounds = new List<double>();
        for (var exponent = 1L; ; exponent *= 10)
        {
            foreach (var mantissa in (int[])[1, 2, 5])
            {
                var bound = mantissa * exponent;
                if (bound > max)
                {
                    return [.. bounds];
                }

                bounds.Add(bound);
            }
        }
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    private sealed class Histogram(double[] bounds)
    {
        private readonly long[] _counts = new long[bounds.Length + 1];
        private double _sum;
        private long _count;

        public void Observe(double value)
        {
            var i = 0;
            while (i < bounds.Length && value > bounds[i])
            {
                i++;
            }

            _counts[i]++;
            _sum += value;
            _count++;
        }

        public void Render(StringBuilder sb, string name, string help, string labels)
        {
            sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            sb.Append("# TYPE ").Append(name).Append(" histogram\n");
            long cumulative = 0;
            for (var i = 0; i <= bounds.Length; i++)
            {
                cumulative += _counts[i];
                var le = i < bounds.Length ? Format(bounds[i]) : "+Inf";
                sb.Append(name).Append("_bucket{").Append(labels).Append(",le=\"").Append(le).Append("\"} ").Append(Format(cumulative)).Append('\n');
            }

            sb.Append(name).Append("_count{").Append(labels).Append("} ").Append(Format(_count)).Append('\n');
            sb.Append(name).Append("_sum{").Append(labels).Append("} ").Append(Format(_sum)).Append('\n');
        }
    }
}
