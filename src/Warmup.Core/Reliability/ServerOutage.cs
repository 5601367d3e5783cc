namespace Warmup.Core.Reliability;

/// <summary>
/// A time the server went away in the middle of a run (a level's or the verification's requests came back refused or
/// reset) and what the run did about it: it waited for the readiness gate again and, when the server answered, re-ran
/// the level's unfinished steps, or the whole verification, with fresh salts; before verifying, it also sent every step
/// of the run again when the server may have restarted and lost them (<see cref="Restarted"/>,
/// <see cref="Orchestration.WarmupOrchestrator.SendAgainAsync"/>). Or a restart that only the metrics showed, between
/// two levels (<see cref="BetweenLevels"/>): nothing failed or was waited for, and the steps are sent again the same way.
/// </summary>
/// <param name="DetectedAt">When the level's results showed the server gone (orchestration time).</param>
/// <param name="DurationMs">From <paramref name="DetectedAt"/> until the readiness gate opened again, or gave up.</param>
/// <param name="Back">Whether the server answered again within the target's ready deadline (the run then continued).</param>
/// <param name="ReadinessAttempts">Readiness polls it took.</param>
/// <param name="Failures">The failed level's failures by outcome class (those requests are not in the steps' totals:
/// their steps were re-run and the report keeps the re-run's measurements).</param>
/// <param name="StepsResent">The failed level's steps re-run after the server came back (0 when it did not, during
/// verification, and between levels).</param>
/// <param name="DuringVerification">The verification's requests showed it: the verification was run again once the
/// server answered (its failed requests are not in the report's totals either).</param>
public sealed record ServerOutage(
    DateTimeOffset DetectedAt,
    double DurationMs,
    bool Back,
    int ReadinessAttempts,
    IReadOnlyDictionary<string, int> Failures,
    int StepsResent,
    bool DuringVerification = false)
{
    /// <summary>
    /// Whether the server that came back is a new process (<see cref="ServerProcess.Compare"/>): true, or null when its
    /// metrics could not say, and the run sent its steps again; false, the same process, and nothing was sent again.
    /// Null too when the server did not come back.
    /// </summary>
    public bool? Restarted { get; init; }

    /// <summary>What <see cref="Restarted"/> was decided from, e.g. "process_start_time_seconds changed from 1764300000 to 1764300042"; null when the server did not come back.</summary>
    public string? RestartEvidence { get; init; }

    /// <summary>
    /// No request failed: the metrics read before a level showed a new process where the reading before showed another
    /// (<see cref="Between"/>). The server went away and came back between two of the run's readings, e.g. while the run
    /// waited for users to finish; how long it was gone is unknown (0 here).
    /// </summary>
    public bool BetweenLevels { get; init; }

    /// <summary>A restart the metrics showed between two readings, with no request failing (<see cref="BetweenLevels"/>).</summary>
    public static ServerOutage Between(DateTimeOffset seenAt, RestartCheck restart)
    {
        ArgumentNullException.ThrowIfNull(restart);
        return new ServerOutage(seenAt, 0, true, 0, new Dictionary<string, int>(), 0)
        {
            Restarted = restart.Restarted,
            RestartEvidence = restart.Evidence,
            BetweenLevels = true,
        };
    }
}
