namespace Warmup.Cli;

/// <summary>Process exit codes. Documented in the README; scripts and CI gates depend on them.</summary>
public static class ExitCodes
{
    /// <summary>The endpoint is warm: first-user-like TTFT / steady TTFT is within the threshold.</summary>
    public const int Warm = 0;

    /// <summary>The warm-up ran but the endpoint is not warm (ratio above threshold, or verification requests failed).</summary>
    public const int NotWarm = 1;

    /// <summary>
    /// Bad input or usage: unknown dialect, malformed URL, invalid plan file, unresolvable host; also a target the server
    /// refuses for good (a model or adapter it does not list, a 404/401/403 on its readiness route), outcome misconfigured.
    /// </summary>
    public const int BadInput = 2;

    /// <summary>The endpoint never became ready before the readiness deadline.</summary>
    public const int NeverReady = 3;

    /// <summary>The run itself failed (an infrastructure fault after retries); the report says why.</summary>
    public const int Failed = 4;

    /// <summary>Stopped by Ctrl-C (SIGINT, 128 + 2); `run` still wrote its partial report (outcome cancelled).</summary>
    public const int Interrupted = 130;

    /// <summary>Stopped by SIGTERM (128 + 15); `run` still wrote its partial report (outcome cancelled).</summary>
    public const int Terminated = 143;
}
