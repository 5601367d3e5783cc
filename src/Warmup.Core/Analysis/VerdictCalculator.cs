using System.Globalization;
using Warmup.Core.Probing;

namespace Warmup.Core.Analysis;

/// <summary>One verification probe, the prompt length it was sent at and the adapter it addressed (null: the base model).</summary>
public sealed record LengthProbe(int PromptTokens, ProbeResult Probe, string? Adapter = null);

/// <summary>One verification burst: <see cref="Concurrency"/> requests released together.</summary>
public sealed record BurstProbe(int Concurrency, IReadOnlyList<ProbeResult> Probes)
{
    /// <summary>The burst's slowest first token, or null when any request of it failed (a user would have seen that).</summary>
    public double? SlowestTtftMs => Complete ? Probes.Max(p => p.TtftMs!.Value) : null;

    /// <summary>
    /// The burst's slowest first token less the time the warmer itself was stalled during each request
    /// (<see cref="ProbeResult.ClientStallMs"/>): the part the server is answerable for. Null like <see cref="SlowestTtftMs"/>.
    /// </summary>
    public double? SlowestServerTtftMs => Complete ? Probes.Max(VerdictCalculator.ServerTtftMs) : null;

    private bool Complete => Probes.Count > 0 && Probes.All(p => p.IsSuccess && p.TtftMs.HasValue);
}

/// <summary>
/// Decides warm or not warm. Every verified shape (each prompt length of the base model, each adapter, each burst
/// concurrency) compares its first-user-like TTFT with its steady samples, and the headline compares the mean
/// first-user-like TTFT with the mean steady TTFT over the lengths. A comparison is cold only when it is over the
/// threshold AND slower than steady by more than the run's timing noise (<see cref="NoiseFloorMs"/>), so jitter on
/// millisecond TTFTs never fails a run while a real cold path (a compile, a graph capture, an adapter load: tens of
/// milliseconds and more) always does. A first-user-like TTFT is judged less the time the warmer itself had been stalled
/// when it stamped that token (<see cref="ProbeResult.ClientStallMs"/>: the OS descheduled it, a GC paused it, its
/// thread pool backed up), because that delay is the client's: on a busy machine a single such stall of 20-30 ms would
/// otherwise fail a warm run. Steady samples are kept as measured (taking an upper bound off them would flatter the
/// baseline and raise false alarms). The reason names any comparison the stall decided. Because the noise floor follows
/// the largest steady hiccup, single requests are also judged together (<see cref="WidespreadExcess"/>): more of them
/// beyond the run's typical noise than its steady samples' own hiccup rate explains are cold. Any failed verification probe makes the run not
/// warm, because a user would have seen that failure. When nothing could be compared the verdict carries no numbers,
/// only the reason.
/// </summary>
public static class VerdictCalculator
{
    /// <summary>
    /// Smallest excess over steady state that counts as a cold path however quiet the run was. Cold-start penalties
    /// (JIT per shape, graph capture, KV allocation, adapter loads, clock ramp) cost tens of milliseconds to seconds;
    /// a single first-user-like sample a few milliseconds slow is scheduling jitter, which nothing can average away.
    /// </summary>
    public const double MinColdExcessMs = 10;

    /// <summary>
    /// How many times its own spread a first-user-like sample may stray from steady. Three steady samples span about
    /// 1.7 standard deviations on average, so twice their spread is about 3.4: one sample out of thousands.
    /// </summary>
    public const double SpreadMultiple = 2;

    /// <summary>Base model only, no bursts (the shape of the original verification).</summary>
    public static Verdict Calculate(IReadOnlyList<LengthProbe> firstUserLike, IReadOnlyList<LengthProbe> steady, double threshold)
        => Calculate(firstUserLike, steady, [], [], threshold);

    public static Verdict Calculate(
        IReadOnlyList<LengthProbe> firstUserLike,
        IReadOnlyList<LengthProbe> steady,
        IReadOnlyList<BurstProbe> firstBursts,
        IReadOnlyList<BurstProbe> steadyBursts,
        double threshold)
    {
        ArgumentNullException.ThrowIfNull(firstUserLike);
        ArgumentNullException.ThrowIfNull(steady);
        ArgumentNullException.ThrowIfNull(firstBursts);
        ArgumentNullException.ThrowIfNull(steadyBursts);
        if (double.IsNaN(threshold) || threshold <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "threshold must be a positive ratio");
        }

        var shapes = Shapes(firstUserLike, steady, firstBursts, steadyBursts);
        // Single requests and bursts are noisy in different ways (a burst's slowest request carries the client's and the
        // scheduler's concurrency effects), so each family gets its own noise estimate.
        var singleNoise = Noise.Of(shapes.Where(s => s.Kind != ShapeKind.Burst));
        var burstNoise = Noise.Of(shapes.Where(s => s.Kind == ShapeKind.Burst));
        var byLength = new List<LengthVerdict>();
        var coldAdapters = new List<string>();
        var byConcurrency = new List<BurstVerdict>();
        var clientStalled = new List<string>();
        var judgedFirstMs = new List<double>();
        var lengthAllowancesMs = new List<double>();
        // Single requests beyond the run's typical noise more often than its steady samples stray are cold together,
        // whatever one hiccup did to the noise floor (WidespreadExcess).
        var singles = shapes.Where(s => s.Kind != ShapeKind.Burst).ToList();
        var widespread = WidespreadExcess.Cold(singles.Select(s => (s.FirstMs, s.SteadyMs)).ToList(), threshold, singleNoise.TypicalFloorMs)
            .Select(i => singles[i])
            .ToHashSet(ReferenceEqualityComparer.Instance);
        foreach (var shape in shapes)
        {
            var noise = shape.Kind == ShapeKind.Burst ? burstNoise : singleNoise;
            var cold = IsCold(shape.FirstMs, shape.SteadyMs, threshold, noise) || widespread.Contains(shape);
            if (!cold && shape.FirstStallMs > 0 && IsCold(shape.FirstMs + shape.FirstStallMs, shape.SteadyMs, threshold, noise))
            {
                clientStalled.Add(Invariant($"{shape.Describe()} was {shape.MeasuredFirstMs - shape.SteadyMedianMs:F1} ms over steady while the warmer itself was stalled {shape.FirstStallMs:F1} ms"));
            }

            // The numbers reported are as measured; only the decision leaves the client's stall out.
            var ratio = shape.MeasuredFirstMs / Math.Max(shape.SteadyMedianMs, 1e-3);
            switch (shape.Kind)
            {
                case ShapeKind.Length:
                    byLength.Add(new LengthVerdict(shape.Size, shape.MeasuredFirstMs, shape.SteadyMedianMs, ratio) { IsCold = cold });
                    judgedFirstMs.Add(shape.FirstMs);
                    lengthAllowancesMs.Add(Allowance(shape.SteadyMs, noise));
                    break;
                case ShapeKind.Adapter when cold:
                    coldAdapters.Add(shape.Adapter!);
                    break;
                case ShapeKind.Burst:
                    byConcurrency.Add(new BurstVerdict(shape.Size, shape.MeasuredFirstMs, shape.SteadyMedianMs, ratio) { IsCold = cold });
                    break;
            }
        }

        var failureReason = FailureReason(firstUserLike, steady, firstBursts, steadyBursts);
        if (byLength.Count == 0)
        {
            var why = failureReason is null
                ? "no prompt length had both a first-user-like and a steady TTFT to compare"
                : AllFailed(firstUserLike, steady, firstBursts, steadyBursts)
                    ? $"every verification request failed, so there is nothing to compare: {failureReason}"
                    : $"no prompt length had both a first-user-like and a steady TTFT to compare: {failureReason}";
            return new Verdict(null, null, null, threshold, false, why) { ByConcurrency = byConcurrency, ColdAdapters = coldAdapters };
        }

        var worst = byLength.MaxBy(l => l.Ratio)!;
        var firstMean = byLength.Average(l => l.FirstTtftMs);
        var steadyMean = byLength.Average(l => l.SteadyTtftMs);
        var overall = firstMean / Math.Max(steadyMean, 1e-3);
        // The headline is judged like each shape: over the threshold is not enough, it must also be beyond the noise,
        // and the warmer's own stalls are left out of it. Its allowance is the mean of the lengths' own allowances, as its
        // excess is the mean of their excesses: a hiccup that one length's steady samples showed too (and so excused at
        // that length) must not fail the mean, and a small excess every length shares still does.
        var headlineFloor = Math.Max(singleNoise.FloorMs(steadyMean), lengthAllowancesMs.Average());
        var judgedMean = judgedFirstMs.Average();
        var headlineCold = judgedMean / Math.Max(steadyMean, 1e-3) > threshold && judgedMean - steadyMean > headlineFloor;
        var reasons = new List<string>();
        if (headlineCold)
        {
            reasons.Add(Invariant($"first-user-like TTFT averaged {firstMean:F1} ms against a steady {steadyMean:F1} ms over {byLength.Count} lengths ({overall:F2}x, over the {threshold:F2}x threshold and {headlineFloor:F1} ms of timing noise)"));
        }

        reasons.AddRange(byLength.Where(l => l.IsCold).Select(l => Explain(l, threshold)));
        reasons.AddRange(shapes.Where(s => s.Kind == ShapeKind.Adapter && coldAdapters.Contains(s.Adapter!))
            .Select(s => Invariant($"adapter '{s.Adapter}' took {s.MeasuredFirstMs:F1} ms on first use against a steady {s.SteadyMedianMs:F1} ms")));
        reasons.AddRange(byConcurrency.Where(b => b.IsCold)
            .Select(b => Invariant($"a burst of {b.Concurrency} waited {b.FirstSlowestTtftMs:F1} ms for its slowest first token against a steady {b.SteadySlowestTtftMs:F1} ms ({b.Ratio:F2}x)")));
        if (widespread.Count > 0)
        {
            reasons.Add(Invariant($"{widespread.Count} of {singles.Count} first-user-like requests were beyond the run's typical timing noise, far more than its steady samples strayed: cold paths, not hiccups"));
        }

        if (failureReason is not null)
        {
            reasons.Add(failureReason);
        }

        var isWarm = reasons.Count == 0;
        var reason = isWarm
            ? Invariant($"{overall:F2}x over {byLength.Count} lengths, worst length {worst.PromptTokens} tokens at {worst.Ratio:F2}x ({worst.FirstTtftMs - worst.SteadyTtftMs:F1} ms over steady), within {threshold:F2}x or {headlineFloor:F1} ms of timing noise")
            : string.Join("; ", reasons);
        if (clientStalled.Count > 0)
        {
            reason += "; not counted against the server (client stalls): " + string.Join("; ", clientStalled);
        }

        return new Verdict(firstMean, steadyMean, overall, threshold, isWarm, reason)
        {
            ByLength = byLength,
            ByConcurrency = byConcurrency,
            ColdAdapters = coldAdapters,
            WorstPromptTokens = worst.PromptTokens,
            NoiseFloorMs = Math.Round(headlineFloor, 3),
            ClientStalledShapes = clientStalled.Count,
        };
    }

    private static bool IsCold(double firstMs, IReadOnlyList<double> steadyMs, double threshold, Noise noise)
    {
        var median = Percentiles.Median(steadyMs);
        return firstMs / Math.Max(median, 1e-3) > threshold && firstMs - median > Allowance(steadyMs, noise);
    }

    /// <summary>
    /// The excess over its steady median a shape's first request may show and still be steady: the run's noise floor,
    /// or the shape's own spread (a first request inside it is indistinguishable from steady), whichever is wider.
    /// </summary>
    private static double Allowance(IReadOnlyList<double> steadyMs, Noise noise)
        => Math.Max(noise.FloorMs(Percentiles.Median(steadyMs)), SpreadMultiple * (steadyMs.Max() - steadyMs.Min()));

    private static List<Shape> Shapes(
        IReadOnlyList<LengthProbe> firstUserLike, IReadOnlyList<LengthProbe> steady, IReadOnlyList<BurstProbe> firstBursts, IReadOnlyList<BurstProbe> steadyBursts)
    {
        var shapes = new List<Shape>();
        foreach (var (length, adapter) in firstUserLike.Select(p => (p.PromptTokens, p.Adapter)).Distinct())
        {
            var first = Successful(firstUserLike, length, adapter);
            // Steady samples stay as measured: the stall is an upper bound of what the client added, and taking it off
            // the baseline would make a warm first request look slow. A stalled steady sample widens the spread instead.
            var baseline = Successful(steady, length, adapter).Select(p => p.TtftMs!.Value).ToList();
            if (first.Count > 0 && baseline.Count > 0)
            {
                var firstMs = Percentiles.Median(first.Select(ServerTtftMs).ToList());
                var stalled = Percentiles.Median(first.Select(p => p.TtftMs!.Value).ToList()) - firstMs;
                shapes.Add(new Shape(adapter is null ? ShapeKind.Length : ShapeKind.Adapter, length, adapter, firstMs, baseline) { FirstStallMs = Math.Max(0, stalled) });
            }
        }

        foreach (var concurrency in firstBursts.Select(b => b.Concurrency).Distinct())
        {
            var first = firstBursts.Where(b => b.Concurrency == concurrency && b.SlowestTtftMs.HasValue).ToList();
            var baseline = steadyBursts.Where(b => b.Concurrency == concurrency).Select(b => b.SlowestTtftMs).OfType<double>().ToList();
            if (first.Count > 0 && baseline.Count > 0)
            {
                var firstMs = Percentiles.Median(first.Select(b => b.SlowestServerTtftMs!.Value).ToList());
                var stalled = Percentiles.Median(first.Select(b => b.SlowestTtftMs!.Value).ToList()) - firstMs;
                shapes.Add(new Shape(ShapeKind.Burst, concurrency, null, firstMs, baseline) { FirstStallMs = Math.Max(0, stalled) });
            }
        }

        return shapes;
    }

    private static List<ProbeResult> AllProbes(
        IReadOnlyList<LengthProbe> firstUserLike, IReadOnlyList<LengthProbe> steady, IReadOnlyList<BurstProbe> firstBursts, IReadOnlyList<BurstProbe> steadyBursts)
        => firstUserLike.Concat(steady).Select(p => p.Probe).Concat(firstBursts.Concat(steadyBursts).SelectMany(b => b.Probes)).ToList();

    private static bool AllFailed(
        IReadOnlyList<LengthProbe> firstUserLike, IReadOnlyList<LengthProbe> steady, IReadOnlyList<BurstProbe> firstBursts, IReadOnlyList<BurstProbe> steadyBursts)
        => AllProbes(firstUserLike, steady, firstBursts, steadyBursts).TrueForAll(p => !p.IsSuccess);

    private static string? FailureReason(
        IReadOnlyList<LengthProbe> firstUserLike, IReadOnlyList<LengthProbe> steady, IReadOnlyList<BurstProbe> firstBursts, IReadOnlyList<BurstProbe> steadyBursts)
    {
        var all = AllProbes(firstUserLike, steady, firstBursts, steadyBursts);
        var failed = all.Where(p => !p.IsSuccess).ToList();
        return failed.Count == 0
            ? null
            : $"{failed.Count} of {all.Count} verification probes failed ({Describe(StepAggregator.CountErrors(failed))})";
    }

    /// <summary>A successful probe's TTFT less the time the warmer itself was stalled meanwhile (never below zero).</summary>
    internal static double ServerTtftMs(ProbeResult probe) => Math.Max(0, probe.TtftMs!.Value - probe.ClientStallMs);

    private static List<ProbeResult> Successful(IReadOnlyList<LengthProbe> probes, int length, string? adapter)
        => probes.Where(p => p.PromptTokens == length && p.Adapter == adapter && p.Probe.IsSuccess && p.Probe.TtftMs.HasValue)
            .Select(p => p.Probe)
            .ToList();

    private static string Explain(LengthVerdict l, double threshold)
        => Invariant($"first-user-like TTFT at {l.PromptTokens} prompt tokens was {l.FirstTtftMs:F1} ms against a steady {l.SteadyTtftMs:F1} ms ({l.Ratio:F2}x, over the {threshold:F2}x threshold)");

    private static string Describe(IReadOnlyDictionary<string, int> errors)
        => string.Join(", ", errors.Select(e => $"{e.Key} x{e.Value}"));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// A run's timing noise, measured on its own steady samples. Short TTFTs show the machine's absolute jitter (client,
    /// network, scheduling): <see cref="AbsoluteMs"/> is the largest distance of any of their steady samples from its
    /// shape's median, a hiccup this very run showed. Long TTFTs show the server's proportional jitter:
    /// <see cref="Relative"/> is their typical spread relative to the steady value (the median over those shapes).
    /// </summary>
    /// <param name="TypicalAbsoluteMs">
    /// The short shapes' typical hiccup: the median over them of their largest steady distance from their median, which
    /// one hiccup does not set (see <see cref="WidespreadExcess"/>).
    /// </param>
    private sealed record Noise(double Relative, double AbsoluteMs, double TypicalAbsoluteMs)
    {
        /// <summary>Steady TTFTs under this are "short": their spread is mostly absolute jitter, not proportional.</summary>
        private const double ShortTtftMs = 5 * MinColdExcessMs;

        public static Noise Of(IEnumerable<Shape> shapes)
        {
            var measured = shapes.Where(s => s.SteadyMs.Count > 1).ToList();
            var longer = measured.Where(s => s.SteadyMedianMs >= ShortTtftMs).ToList();
            var relative = longer.Count == 0
                ? 0
                : Percentiles.Median(longer.Select(s => (s.SteadyMs.Max() - s.SteadyMs.Min()) / s.SteadyMedianMs).ToList());
            var hiccups = measured.Where(s => s.SteadyMedianMs < ShortTtftMs)
                .Select(s => s.SteadyMs.Max(ms => Math.Abs(ms - s.SteadyMedianMs)))
                .ToList();
            return hiccups.Count == 0
                ? new Noise(relative, 0, 0)
                : new Noise(relative, hiccups.Max(), Percentiles.Median(hiccups));
        }

        /// <summary>
        /// The excess over a steady <paramref name="steadyMs"/> this noise can explain: the absolute jitter, or
        /// <see cref="SpreadMultiple"/> times the relative spread applied to it, whichever is wider, and never under
        /// <see cref="MinColdExcessMs"/>.
        /// </summary>
        public double FloorMs(double steadyMs) => Math.Max(MinColdExcessMs, Math.Max(SpreadMultiple * Relative * steadyMs, AbsoluteMs));

        /// <summary>Like <see cref="FloorMs"/>, with the typical hiccup in place of the largest one.</summary>
        public double TypicalFloorMs(double steadyMs) => Math.Max(MinColdExcessMs, Math.Max(SpreadMultiple * Relative * steadyMs, TypicalAbsoluteMs));
    }

    private enum ShapeKind
    {
        Length,
        Adapter,
        Burst,
    }

    /// <param name="FirstMs">The first-user-like TTFT less the warmer's own stall (<see cref="FirstStallMs"/>).</param>
    /// <param name="SteadyMs">The steady TTFTs as measured.</param>
    private sealed record Shape(ShapeKind Kind, int Size, string? Adapter, double FirstMs, IReadOnlyList<double> SteadyMs)
    {
        public double SteadyMedianMs { get; } = Percentiles.Median(SteadyMs);

        /// <summary>How much of the first-user-like TTFT the warmer spent stalled itself.</summary>
        public double FirstStallMs { get; init; }

        /// <summary>The first-user-like TTFT as measured, the client's stall included (what the report shows).</summary>
        public double MeasuredFirstMs => FirstMs + FirstStallMs;

        public string Describe() => Kind switch
        {
            ShapeKind.Burst => Invariant($"a burst of {Size}"),
            ShapeKind.Adapter => Invariant($"adapter '{Adapter}'"),
            _ => Invariant($"the first-user-like request at {Size} prompt tokens"),
        };
    }
}
