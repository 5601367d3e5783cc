using System.Net;
using System.Net.Sockets;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Testing;

namespace Warmup.Cli.Hosting;

/// <summary>
/// Starts <see cref="DurableTaskTestHost"/> with its gRPC sidecar on a loopback port the OS reports free. Left to
/// itself the test host takes a random port in 30000-40000 without checking, and dies with "address already in use"
/// when that port is taken (about one run in 40 on a busy machine). A port can still be taken between the check and
/// the bind, so a bind failure is retried on a newly chosen port.
/// </summary>
public static class FreePortTestHost
{
    public const int MaxAttempts = 5;

    /// <param name="options">Options for one attempt, given the port to use (each attempt gets new options).</param>
    /// <param name="choosePort">Where ports come from; the OS's choice of a free loopback port unless a test says otherwise.</param>
    public static async Task<DurableTaskTestHost> StartAsync(
        Action<DurableTaskRegistry> registry,
        Func<int, DurableTaskTestHostOptions> options,
        CancellationToken cancellationToken = default,
        Func<int>? choosePort = null) =>
        await StartOnFreePortAsync(port => DurableTaskTestHost.StartAsync(registry, options(port), cancellationToken), choosePort);

    /// <summary>Starts any host that binds a loopback port: <paramref name="start"/> is given the port to bind.</summary>
    public static async Task<THost> StartOnFreePortAsync<THost>(Func<int, Task<THost>> start, Func<int>? choosePort = null)
    {
        choosePort ??= FreeLoopbackPort;
        for (var attempt = 1; ; attempt++)
        {
            var port = choosePort();
            try
            {
                return await start(port);
            }
            catch (Exception ex) when (attempt < MaxAttempts && IsAddressInUse(ex))
            {
                // Someone took the port after it was found free: choose again.
            }
        }
    }

    /// <summary>A loopback port that is free now: the OS picks it for a listener that is closed at once.</summary>
    public static int FreeLoopbackPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    // Kestrel reports it as IOException("Failed to bind to address ...: address already in use") wrapping
    // AddressInUseException, itself wrapping a SocketException; any of them in the chain counts.
    internal static bool IsAddressInUse(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }
                || ex.GetType().Name == "AddressInUseException")
            {
                return true;
            }
        }

        return false;
    }
}
