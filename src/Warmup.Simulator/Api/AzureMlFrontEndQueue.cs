namespace Warmup.Simulator.Api;

/// <summary>
/// The Azure ML front end's admission for one deployment (<see cref="AzureMlRequestSettings"/>): up to
/// <see cref="AzureMlRequestSettings.Running"/> scoring requests run, up to as many again wait, one more is refused (429).
/// The request timeout starts at arrival, so time spent queueing counts against it.
/// </summary>
internal sealed class AzureMlFrontEndQueue(AzureMlRequestSettings settings, double timeScale)
{
    private readonly SemaphoreSlim _running = new(settings.Running, settings.Running);
    private int _inFlight;
    private int _peak;

    /// <summary>
    /// The host's own per-request cost (a loaded machine, .NET's first-call compile) does not shrink with the time
    /// scale, so a scaled timeout never goes under this: at 0.02, Azure ML's 5000 ms would otherwise be 100 ms.
    /// </summary>
    public static readonly TimeSpan MinTimeout = TimeSpan.FromSeconds(1);

    /// <summary>request_timeout_ms on the simulator's time scale, at least <see cref="MinTimeout"/>.</summary>
    public TimeSpan Timeout { get; } = TimeSpan.FromMilliseconds(Math.Max(settings.RequestTimeoutMs * timeScale, MinTimeout.TotalMilliseconds));

    /// <summary>The most scoring requests that were ever in flight at once (running and queued).</summary>
    public int Peak => Volatile.Read(ref _peak);

    /// <summary>Admits one request, or returns false when the front end already holds all it admits (HTTP 429).</summary>
    public bool TryAdmit()
    {
        var now = Interlocked.Increment(ref _inFlight);
        if (now > settings.Admitted)
        {
            Interlocked.Decrement(ref _inFlight);
            return false;
        }

        int peak;
        while (now > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
        {
        }

        return true;
    }

    /// <summary>Waits for a running slot until <paramref name="deadline"/> fires; false: the request timed out queueing.</summary>
    public async Task<bool> RunWhenFreeAsync(CancellationToken deadline)
    {
        try
        {
            await _running.WaitAsync(deadline);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void EndRun() => _running.Release();

    public void Leave() => Interlocked.Decrement(ref _inFlight);
}
