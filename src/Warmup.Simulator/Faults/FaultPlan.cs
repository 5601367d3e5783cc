using System.Globalization;

namespace Warmup.Simulator;

public enum FaultKind
{
    /// <summary>HTTP 503 (engine overloaded/dead) for a burst of consecutive requests.</summary>
    ServiceUnavailable,

    /// <summary>HTTP 429 with a Retry-After header.</summary>
    TooManyRequests,

    /// <summary>No response headers for <see cref="FaultRule.Duration"/> (or until the client gives up).</summary>
    HangBeforeHeaders,

    /// <summary>The stream stops sending for <see cref="FaultRule.Duration"/> after <see cref="FaultRule.AfterTokens"/> tokens, then continues.</summary>
    StallMidstream,

    /// <summary>The connection is aborted (TCP reset) after <see cref="FaultRule.AfterTokens"/> tokens.</summary>
    ResetMidstream,

    /// <summary>A truncated event <c>data: {"choices":[{</c> is sent after <see cref="FaultRule.AfterTokens"/> tokens; the stream then continues.</summary>
    MalformedChunk,

    /// <summary>An error object is sent in the stream after HTTP 200 and <see cref="FaultRule.AfterTokens"/> tokens, then <c>[DONE]</c>.</summary>
    ErrorAfter200,

    /// <summary>
    /// The server dies once, for <see cref="FaultRule.Duration"/>: from the first selected request on, every connection
    /// (generation, /health, /metrics) is dropped without an answer, then it serves again. Only availability is simulated:
    /// its caches survive, which a real restart's would not (<see cref="Restart"/>).
    /// </summary>
    DieAndReturn,

    /// <summary>
    /// As <see cref="DieAndReturn"/>, and the server comes back as a new process would: every compiled bucket, captured
    /// graph, loaded adapter, its KV-cache growth and its prefix cache are gone, so every shape is cold again.
    /// </summary>
    Restart,

    /// <summary>Each selected request waits <see cref="FaultRule.Duration"/> times its number before it is served: slower and slower.</summary>
    SlowerAndSlower,
}

/// <summary>Which generation requests (1-based arrival order, counted per rule) a fault applies to.</summary>
public abstract record FaultSelector
{
    public static FaultSelector All { get; } = new EverySelector(1);

    public abstract bool Matches(long requestNumber);

    public sealed record EverySelector(int N) : FaultSelector
    {
        public override bool Matches(long requestNumber) => requestNumber % N == 0 || N == 1;

        public override string ToString() => $"every={N}";
    }

    public sealed record FirstSelector(int N) : FaultSelector
    {
        public override bool Matches(long requestNumber) => requestNumber <= N;

        public override string ToString() => $"first={N}";
    }

    public sealed record ProbabilitySelector(double P, int Seed) : FaultSelector
    {
        // A hash of (seed, request number) keeps the choice reproducible whatever the arrival interleaving.
        public override bool Matches(long requestNumber)
        {
            var x = (ulong)requestNumber * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)Seed * 0xC2B2AE3D27D4EB4FUL;
            x ^= x >> 33;
            x *= 0xFF51AFD7ED558CCDUL;
            x ^= x >> 33;
            return (x >> 11) * (1.0 / (1UL << 53)) < P;
        }

        public override string ToString() => $"p={P.ToString(CultureInfo.InvariantCulture)};seed={Seed}";
    }
}

/// <summary>One fault: what happens, to which requests, and its parameters. Durations are wall-clock (not scaled by TimeScale).</summary>
public sealed record FaultRule(FaultKind Kind, FaultSelector Selector)
{
    /// <summary>Hang/stall length. <see cref="Timeout.InfiniteTimeSpan"/> hangs until the client disconnects.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>503 bursts: how many consecutive requests, starting at a selected one, get the 503.</summary>
    public int BurstLength { get; init; } = 1;

    /// <summary>Mid-stream faults fire after this many token chunks were sent.</summary>
    public int AfterTokens { get; init; } = 2;

    public int RetryAfterSeconds { get; init; } = 1;
}

/// <summary>
/// The faults injected in one simulator run. Spec grammar (see <see cref="Parse"/>):
/// <c>rule[,rule...]</c>, rule = <c>kind[:arg][@key=value[;key=value...]]</c>.
/// </summary>
public sealed record FaultPlan(IReadOnlyList<FaultRule> Rules)
{
    public static FaultPlan None { get; } = new([]);

    public bool IsEmpty => Rules.Count == 0;

    public const string Grammar =
        "fault spec: rule[,rule...]; rule = kind[:arg][@key=value[;key=value...]]; " +
        "kinds: 503 | 503-burst:N (N consecutive requests) | 429[:retryAfterSeconds] | hang[:duration|forever] | " +
        "stall[:duration] | reset | malformed | error-after-200 | die[:duration] (down once, at the first selected request, e.g. @every=5 for the 5th; then back) | " +
        "restart[:duration] (as die, and back cold: every shape compiled before is gone) | " +
        "slower[:step] (request n waits n*step before its answer); " +
        "keys: every=N | first=N | p=0..1 with optional seed=N (which requests), after=N (token chunks before a mid-stream fault); " +
        "durations like 500ms, 2s; default selector: every request except 503-burst (first=1). " +
        "example: 503-burst:3,reset@every=5;after=2";

    /// <summary>Parses a CLI-friendly spec such as <c>503-burst:3,reset@every=5</c>. Throws <see cref="FormatException"/> with the grammar on error.</summary>
    public static FaultPlan Parse(string? spec)
    {
        if (string.IsNullOrWhiteSpace(spec) || spec.Trim().Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return None;
        }

        var rules = new List<FaultRule>();
        foreach (var raw in spec.Split(',', StringSplitOptions.TrimEntries))
        {
            if (raw.Length == 0)
            {
                throw Error(spec, "empty rule (two commas in a row?)");
            }

            rules.Add(ParseRule(spec, raw));
        }

        return new FaultPlan(rules);
    }

    public override string ToString() => IsEmpty ? "none" : string.Join(",", Rules.Select(Describe));

    public bool Equals(FaultPlan? other) => other is not null && Rules.SequenceEqual(other.Rules);

    public override int GetHashCode() => Rules.Aggregate(0, (hash, rule) => HashCode.Combine(hash, rule));

    private static string Describe(FaultRule r) => r.Kind switch
    {
        FaultKind.ServiceUnavailable => $"503-burst:{r.BurstLength}@{r.Selector}",
        FaultKind.TooManyRequests => $"429:{r.RetryAfterSeconds}@{r.Selector}",
        FaultKind.HangBeforeHeaders => $"hang:{FormatDuration(r.Duration)}@{r.Selector}",
        FaultKind.StallMidstream => $"stall:{FormatDuration(r.Duration)}@{r.Selector};after={r.AfterTokens}",
        FaultKind.ResetMidstream => $"reset@{r.Selector};after={r.AfterTokens}",
        FaultKind.MalformedChunk => $"malformed@{r.Selector};after={r.AfterTokens}",
        FaultKind.DieAndReturn => $"die:{FormatDuration(r.Duration)}@{r.Selector}",
        FaultKind.Restart => $"restart:{FormatDuration(r.Duration)}@{r.Selector}",
        FaultKind.SlowerAndSlower => $"slower:{FormatDuration(r.Duration)}@{r.Selector}",
        _ => $"error-after-200@{r.Selector};after={r.AfterTokens}",
    };

    private static string FormatDuration(TimeSpan d) =>
        d == Timeout.InfiniteTimeSpan ? "forever" : $"{(long)d.TotalMilliseconds}ms";

    private static FaultRule ParseRule(string spec, string raw)
    {
        var at = raw.IndexOf('@');
        var head = at < 0 ? raw : raw[..at];
        var options = at < 0 ? "" : raw[(at + 1)..];
        var colon = head.IndexOf(':');
        var kindText = (colon < 0 ? head : head[..colon]).Trim().ToLowerInvariant();
        var arg = colon < 0 ? null : head[(colon + 1)..].Trim();

        var rule = kindText switch
        {
            "503" or "503-burst" => new FaultRule(FaultKind.ServiceUnavailable, kindText == "503-burst" ? new FaultSelector.FirstSelector(1) : FaultSelector.All)
            {
                BurstLength = arg is null ? 1 : PositiveInt(spec, raw, arg, "burst length"),
            },
            "429" => new FaultRule(FaultKind.TooManyRequests, FaultSelector.All)
            {
                RetryAfterSeconds = arg is null ? 1 : PositiveInt(spec, raw, arg, "Retry-After seconds"),
            },
            "hang" => new FaultRule(FaultKind.HangBeforeHeaders, FaultSelector.All)
            {
                Duration = arg is null || arg.Equals("forever", StringComparison.OrdinalIgnoreCase) ? Timeout.InfiniteTimeSpan : ParseDuration(spec, raw, arg),
            },
            "stall" => new FaultRule(FaultKind.StallMidstream, FaultSelector.All) { Duration = arg is null ? TimeSpan.FromSeconds(2) : ParseDuration(spec, raw, arg) },
            "reset" or "reset-midstream" => NoArg(new FaultRule(FaultKind.ResetMidstream, FaultSelector.All)),
            "malformed" or "malformed-chunk" => NoArg(new FaultRule(FaultKind.MalformedChunk, FaultSelector.All) { AfterTokens = 1 }),
            "error-after-200" or "error" => NoArg(new FaultRule(FaultKind.ErrorAfter200, FaultSelector.All) { AfterTokens = 1 }),
            "die" or "restart" => new FaultRule(kindText == "die" ? FaultKind.DieAndReturn : FaultKind.Restart, new FaultSelector.FirstSelector(1))
            {
                Duration = arg is null ? TimeSpan.FromSeconds(2) : ParseDuration(spec, raw, arg),
            },
            "slower" => new FaultRule(FaultKind.SlowerAndSlower, FaultSelector.All)
            {
                Duration = arg is null ? TimeSpan.FromMilliseconds(100) : ParseDuration(spec, raw, arg),
            },
            "" => throw Error(spec, $"rule '{raw}' has no fault kind"),
            _ => throw Error(spec, $"unknown fault kind '{kindText}'"),
        };

        FaultRule NoArg(FaultRule r) => arg is null ? r : throw Error(spec, $"fault '{kindText}' takes no ':{arg}' argument");

        double? p = null;
        int? seed = null;
        foreach (var pair in options.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0)
            {
                throw Error(spec, $"option '{pair}' in '{raw}' must be key=value");
            }

            var key = pair[..eq].Trim().ToLowerInvariant();
            var value = pair[(eq + 1)..].Trim();
            switch (key)
            {
                case "every":
                    rule = rule with { Selector = new FaultSelector.EverySelector(PositiveInt(spec, raw, value, "every")) };
                    break;
                case "first":
                    rule = rule with { Selector = new FaultSelector.FirstSelector(PositiveInt(spec, raw, value, "first")) };
                    break;
                case "p":
                    if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var prob) || prob is < 0 or > 1)
                    {
                        throw Error(spec, $"p must be a probability between 0 and 1 in '{raw}' (was '{value}')");
                    }

                    p = prob;
                    break;
                case "seed":
                    seed = int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : throw Error(spec, $"seed must be an integer in '{raw}'");
                    break;
                case "after":
                    rule = rule with { AfterTokens = NonNegativeInt(spec, raw, value, "after") };
                    break;
                default:
                    throw Error(spec, $"unknown option '{key}' in '{raw}'");
            }
        }

        if (p is not null)
        {
            rule = rule with { Selector = new FaultSelector.ProbabilitySelector(p.Value, seed ?? 0) };
        }
        else if (seed is not null)
        {
            throw Error(spec, $"seed is only meaningful with p=... in '{raw}'");
        }

        return rule;
    }

    private static int PositiveInt(string spec, string raw, string value, string what) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw Error(spec, $"{what} must be a positive integer in '{raw}' (was '{value}')");

    private static int NonNegativeInt(string spec, string raw, string value, string what) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n
            : throw Error(spec, $"{what} must be an integer >= 0 in '{raw}' (was '{value}')");

    private static TimeSpan ParseDuration(string spec, string raw, string value)
    {
        var (number, factor) = value.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? (value[..^2], 1.0)
            : value.EndsWith('s') || value.EndsWith('S') ? (value[..^1], 1000.0)
            : (value, 1.0);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0 && double.IsFinite(n)
            ? TimeSpan.FromMilliseconds(n * factor)
            : throw Error(spec, $"duration '{value}' in '{raw}' must look like 500ms or 2s");
    }

    private static FormatException Error(string spec, string problem) =>
        new($"bad fault spec '{spec}': {problem}. {Grammar}");
}
