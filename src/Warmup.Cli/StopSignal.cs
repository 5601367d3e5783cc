using System.Runtime.InteropServices;

namespace Warmup.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM as one cancellation: the first one cancels the running command, which ends its run
/// through the run's cancel path (the partial report is still written, outcome cancelled) and exits 130 or 143 as a
/// shell expects (128 + the signal number). A second signal is left to its default action: the process ends at once.
/// </summary>
public sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private PosixSignal? _received;
    private int _receivedOnce;

    private StopSignal()
    {
    }

    public CancellationToken Token => _stop.Token;

    /// <summary>The signal that stopped the command; null when none came.</summary>
    public PosixSignal? Received => _received;

    /// <summary><see cref="ExitCodes.Interrupted"/> after SIGINT, <see cref="ExitCodes.Terminated"/> after SIGTERM.</summary>
    public int ExitCode => _received == PosixSignal.SIGTERM ? ExitCodes.Terminated : ExitCodes.Interrupted;

    /// <summary>Why the run was cancelled, as its report says.</summary>
    public string Reason => _received == PosixSignal.SIGTERM ? "stopped by SIGTERM" : "stopped by Ctrl-C (SIGINT)";

    public static StopSignal Listen()
    {
        var signal = new StopSignal();
        signal._registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, signal.Handle));
        signal._registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal.Handle));
        return signal;
    }

    /// <summary>Cancels as if <paramref name="signal"/> had come (for callers that catch signals themselves).</summary>
    public void Raise(PosixSignal signal)
    {
        if (Interlocked.CompareExchange(ref _receivedOnce, 1, 0) == 0)
        {
            _received = signal;
            _stop.Cancel();
        }
    }

    private void Handle(PosixSignalContext context)
    {
        if (_receivedOnce != 0)
        {
            return;   // the second signal: default action, the process ends now
        }

        context.Cancel = true;
        Raise(context.Signal);
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _stop.Dispose();
    }
}
