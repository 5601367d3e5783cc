namespace Warmup.Core.Prompts;

/// <summary>
/// Derives per-request salts. Deterministic, so an activity retried by the orchestration rebuilds the same
/// prompt, while any two requests of one run (and any two runs) differ.
/// </summary>
public static class SaltSource
{
    /// <summary>A fresh run salt; call once per run (outside the orchestrator, which must stay deterministic).</summary>
    public static string NewRunSalt() => Guid.NewGuid().ToString("N");

    /// <summary>"{runSalt}/step-{stepIndex}/req-{requestIndex}".</summary>
    public static string ForRequest(string runSalt, int stepIndex, int requestIndex)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runSalt);
        ArgumentOutOfRangeException.ThrowIfNegative(stepIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(requestIndex);
        return $"{runSalt}/step-{stepIndex}/req-{requestIndex}";
    }
}
