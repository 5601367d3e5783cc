namespace Warmup.Core.Prompts;

/// <summary>
/// Derives the salts that keep every measurement prompt unique. The orchestrator hands each activity a run salt
/// (deterministic, from the replay-safe context); each activity execution adds its own random part, so an activity
/// that is retried, or re-run after a worker restart, never resends prompts the server may already hold in its
/// prefix cache: a retry must not make a cold path look warm.
/// </summary>
public static class SaltSource
{
    /// <summary>"{runSalt}-{random}": call once per activity execution.</summary>
    public static string ForAttempt(string runSalt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runSalt);
        return $"{runSalt}-{Guid.NewGuid().ToString("N")[..12]}";
    }

    /// <summary>"{attemptSalt}/step-{stepIndex}/req-{requestIndex}".</summary>
    public static string ForRequest(string attemptSalt, int stepIndex, int requestIndex)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(attemptSalt);
        ArgumentOutOfRangeException.ThrowIfNegative(stepIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(requestIndex);
        return $"{attemptSalt}/step-{stepIndex}/req-{requestIndex}";
    }
}
