using Warmup.Core.Adaptive;
using Warmup.Core.Analysis;
using Warmup.Core.Planning;
using Warmup.Core.Readiness;

namespace Warmup.Core.Reporting;

/// <summary>
/// Assembles a <see cref="WarmupReport"/> as a run progresses. Pure and deterministic (no clock, no I/O), so the
/// orchestrator can use it: the caller passes every time in.
/// Outcome: cancelled when the run was cancelled, an early end's own outcome (aborted, busy), failed when an error was
/// recorded, misconfigured when readiness found a configuration error (a permanent answer, a model the server does not
/// serve), never-ready when the readiness gate did not open, otherwise warm or
/// not-warm from the verdict (not-warm when there is none).
/// </summary>
public sealed class ReportBuilder
{
    /// <summary>Readiness placeholder for runs that failed before the gate answered.</summary>
    public static ReadinessResult NotChecked { get; } = new(false, 0, 0, "readiness was not checked");

    private readonly string _runId;
    private readonly string _correlationId;
    private readonly string _target;
    private readonly string _reason;
    private readonly DateTimeOffset _startedAt;
    private readonly List<StepResult> _steps = [];
    private string _plan;
    private IReadOnlyList<string> _notes = [];
    private string _dialect = string.Empty;
    private string _model = string.Empty;
    private ReadinessResult? _readiness;
    private StepResult? _firstUserLike;
    private StepResult? _steady;
    private Verdict? _verdict;
    private AdaptiveReport? _adaptive;
    private AdapterReport? _adapters;
    private readonly List<StepResult> _earlierVerifications = [];
    private readonly List<Reliability.ServerOutage> _outages = [];
    private Reliability.ServerProcess? _process;
    private Reliability.ServerProcess? _knownProcess;
    private double? _latestStartTime;
    private Reliability.Served _servedAtProcessReading;
    private long _discardedTokens;
    private string? _error;
    private string? _endedEarlyAs;
    private string? _cancelled;

    public ReportBuilder(string runId, string correlationId, string target, string reason, string plan, DateTimeOffset startedAt)
    {
        _runId = runId;
        _correlationId = correlationId;
        _target = target;
        _reason = reason;
        _plan = plan;
        _startedAt = startedAt;
    }

    public ReportBuilder WithTarget(string dialect, string model)
    {
        _dialect = dialect;
        _model = model;
        return this;
    }

    public ReportBuilder WithReadiness(ReadinessResult readiness)
    {
        _readiness = readiness;
        return this;
    }

    public ReportBuilder WithPlan(WarmupPlan plan)
    {
        _plan = plan.Name;
        _notes = plan.Notes;
        return this;
    }

    /// <summary>A note on what the run did beyond its plan (steps left out of a re-send after a restart).</summary>
    public ReportBuilder AddNote(string note)
    {
        _notes = [.. _notes, note];
        return this;
    }

    /// <summary>Prompt plus output tokens the report's steps spent so far (verifications not included).</summary>
    public long StepTokens => _steps.Sum(s => s.PromptTokens + s.OutputTokens);

    /// <summary>
    /// Results an outage made the run throw away (a level's unfinished steps, run again; a verification it cut, run again
    /// whole): they stay out of the report's steps and totals, but their tokens were spent and count against the budget.
    /// </summary>
    public ReportBuilder Discard(IEnumerable<StepResult> steps)
    {
        _discardedTokens += steps.Sum(s => s.PromptTokens + s.OutputTokens);
        return this;
    }

    /// <summary>Prompt plus output tokens of the results thrown away so far (<see cref="Discard"/>).</summary>
    public long DiscardedTokens => _discardedTokens;

    public ReportBuilder AddSteps(IEnumerable<StepResult> steps)
    {
        _steps.AddRange(steps);
        return this;
    }

    /// <summary>
    /// The verification and its verdict. Called again (the adaptive loop verifies every round), the latest wins in the
    /// report's firstUserLike/steady/verdict and the earlier ones still count in the totals.
    /// </summary>
    public ReportBuilder WithVerification(StepResult firstUserLike, StepResult steady, Verdict verdict)
    {
        _earlierVerifications.AddRange(new[] { _firstUserLike, _steady }.OfType<StepResult>());
        _firstUserLike = firstUserLike;
        _steady = steady;
        _verdict = verdict;
        return this;
    }

    /// <summary>The adaptive loop's summary, and its notes (which replace the first round plan's).</summary>
    public ReportBuilder WithAdaptive(AdaptiveReport adaptive, IReadOnlyList<string> notes)
    {
        _adaptive = adaptive;
        _notes = notes;
        return this;
    }

    /// <summary>Which adapters the run knew of, warmed and left out (the adaptive loop's choice).</summary>
    public ReportBuilder WithAdapters(AdapterReport adapters)
    {
        _adapters = adapters;
        return this;
    }

    /// <summary>A verdict without measurements (the loop could not run a round): the report still says why it is not warm.</summary>
    public ReportBuilder WithVerdictOnly(Verdict verdict)
    {
        _verdict = verdict;
        return this;
    }

    /// <summary>Records why the run failed. The first error wins: later ones are consequences.</summary>
    public ReportBuilder Fail(string error)
    {
        _error ??= error;
        return this;
    }

    /// <summary>Ends the run before its plan was done, with its own outcome (aborted, busy) and why. The first end wins.</summary>
    public ReportBuilder EndEarly(string outcome, string reason)
    {
        if (_error is null)
        {
            _endedEarlyAs = outcome;
            _error = reason;
        }

        return this;
    }

    public int OutageCount => _outages.Count;

    /// <summary>
    /// The outages where the server went away (requests refused or reset), which a run recovers from at most
    /// <see cref="Reliability.OutageRecovery.MaxOutagesPerRun"/> times; restarts seen only in the metrics between levels
    /// (<see cref="Reliability.ServerOutage.BetweenLevels"/>) have their own bound and do not use these up.
    /// </summary>
    public int ServerGoneCount => _outages.Count(o => !o.BetweenLevels);

    /// <summary>Restarts seen only in the metrics between levels (<see cref="Reliability.ServerOutage.BetweenLevels"/>).</summary>
    public int RestartsSeenBetweenLevels => _outages.Count(o => o.BetweenLevels);

    /// <summary>
    /// A time the server went away mid-run (see <see cref="Reliability.OutageRecovery"/>), or restarted between levels.
    /// The process it came back as is then the latest reading's (<see cref="LastKnownProcess"/>), even an unreadable one,
    /// so the restart is not found again at the next reading.
    /// </summary>
    public ReportBuilder AddOutage(Reliability.ServerOutage outage)
    {
        _outages.Add(outage);
        _knownProcess = _process;
        return this;
    }

    /// <summary>
    /// Whether a server that came back from an outage, from the <paramref name="fromOutage"/>th on, may have restarted
    /// (its metrics said so, or could not say): the run then sends its steps again.
    /// </summary>
    public bool MayHaveRestarted(int fromOutage = 0) => _outages.Skip(fromOutage).Any(o => o.Back && o.Restarted != false);

    /// <summary>
    /// Which process answered the latest load reading (before each level, and after an outage), and what the server had
    /// served the run by then, so an outage can be checked for a restart (<see cref="Reliability.ServerProcess"/>).
    /// <paramref name="pending"/>: what was served before the reading by results the report will hold later (a failed
    /// level's finished steps).
    /// </summary>
    public ReportBuilder SawProcess(Reliability.ServerProcess? process, Reliability.Served pending = default)
    {
        _process = process;
        _knownProcess = process ?? _knownProcess;
        if (process?.StartTimeSeconds is { } started && !(started <= _latestStartTime))
        {
            _latestStartTime = started;
        }

        _servedAtProcessReading = Reliability.Served.Of(_steps) + pending;
        return this;
    }

    public Reliability.ServerProcess? LastSeenProcess => _process;

    /// <summary>The latest process a reading showed: a reading that could not be made does not forget it (see <see cref="AddOutage"/>).</summary>
    public Reliability.ServerProcess? LastKnownProcess => _knownProcess;

    /// <summary>The latest process start time any reading of this run showed; null when none had one.</summary>
    public double? LatestStartTime => _latestStartTime;

    /// <summary>What the report's steps were served since <see cref="SawProcess"/>.</summary>
    public Reliability.Served ServedSinceProcessReading => Reliability.Served.Of(_steps) - _servedAtProcessReading;

    /// <summary>Records that the run was cancelled and why: the outcome is then cancelled, whatever was measured.</summary>
    public ReportBuilder Cancel(string reason)
    {
        _cancelled ??= reason;
        return this;
    }

    public WarmupReport Build(DateTimeOffset finishedAt)
    {
        var readiness = _readiness ?? NotChecked;
        var measured = _steps.Concat(_earlierVerifications).Concat(new[] { _firstUserLike, _steady }.OfType<StepResult>()).ToList();
        return new WarmupReport
        {
            RunId = _runId,
            CorrelationId = _correlationId,
            Target = _target,
            Dialect = _dialect,
            Model = _model,
            Reason = _reason,
            Plan = _plan,
            Notes = _notes,
            StartedAt = _startedAt,
            FinishedAt = finishedAt,
            DurationMs = (finishedAt - _startedAt).TotalMilliseconds,
            Outcome = _cancelled is not null ? RunOutcomes.Cancelled : _endedEarlyAs ?? OutcomeOf(_error, readiness, _verdict),
            Readiness = readiness,
            Steps = _steps.ToList(),
            FirstUserLike = _firstUserLike,
            Steady = _steady,
            Verdict = _verdict,
            Adaptive = _adaptive,
            Adapters = _adapters,
            EarlierVerifications = _earlierVerifications.ToList(),
            Outages = _outages.ToList(),
            Totals = Totals(measured),
            Error = _error ?? (_cancelled is null ? readiness.ConfigurationError : $"cancelled: {_cancelled}"),
        };
    }

    public static string OutcomeOf(string? error, ReadinessResult readiness, Verdict? verdict)
    {
        if (error is not null)
        {
            return RunOutcomes.Failed;
        }

        if (readiness.ConfigurationError is not null)
        {
            return RunOutcomes.Misconfigured;
        }

        if (!readiness.Ready)
        {
            return RunOutcomes.NeverReady;
        }

        return verdict is { IsWarm: true } ? RunOutcomes.Warm : RunOutcomes.NotWarm;
    }

    /// <summary>Sums of every measured step (warm-up steps and verification).</summary>
    public static RunTotals Totals(IReadOnlyCollection<StepResult> steps)
        => new(
            steps.Sum(s => s.Requests),
            steps.Sum(s => s.Requests - s.Succeeded),
            steps.Sum(s => s.PromptTokens),
            steps.Sum(s => s.OutputTokens),
            Analysis.StepAggregator.MergeErrors(steps.Select(s => s.ErrorsByOutcome)),
            steps.Sum(s => s.RetryAfterWaits),
            steps.Sum(s => s.RetryAfterWaitMs));
}
