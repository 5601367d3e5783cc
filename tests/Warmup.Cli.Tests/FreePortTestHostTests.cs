using System.Net;
using System.Net.Sockets;
using Warmup.Cli.Hosting;
using Warmup.Core.Targets;

namespace Warmup.Cli.Tests;

/// <summary>Holds most of a port range, so nothing else in this assembly runs meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PortHoggingCollection
{
    public const string Name = "port hogging";
}

/// <summary>The embedded engine's gRPC sidecar binds a port that is free, and chooses again if it was taken meanwhile.</summary>
[Collection(PortHoggingCollection.Name)]
public sealed class FreePortTestHostTests
{
    // The test host's own choice is a random port in 30000-40000 without checking; hold 90% of it.
    private const int RangeStart = 30000;
    private const int RangeEnd = 40000;
    private const int PortsToHold = 9000;

    [Fact]
    public async Task Embedded_engine_starts_while_most_of_the_30000_40000_range_is_taken()
    {
        using var held = HoldPorts(RangeStart, RangeEnd, PortsToHold);
        Assert.True(held.Count >= PortsToHold * 9 / 10, $"only {held.Count} ports of {RangeStart}-{RangeEnd} could be held");

        await using var host = await EmbeddedDurableHost.StartAsync(new TargetCatalog([]), jsonReport: null, telemetry: null, CancellationToken.None);

        // The client answers over the sidecar: the engine is really up, not just constructed.
        Assert.Null(await host.Client.GetInstanceAsync("no-such-instance"));
    }

    [Fact]
    public async Task A_port_taken_after_it_was_chosen_is_replaced_by_another()
    {
        using var taken = HoldPorts(FreePortTestHost.FreeLoopbackPort(), int.MaxValue, 1);
        var takenPort = taken.Ports.Single();
        var offered = new List<int>();

        await using var host = await FreePortTestHost.StartAsync(
            _ => { },
            port => new() { Port = port },
            CancellationToken.None,
            choosePort: () =>
            {
                var port = offered.Count == 0 ? takenPort : FreePortTestHost.FreeLoopbackPort();
                offered.Add(port);
                return port;
            });

        Assert.Equal(2, offered.Count);
        Assert.NotEqual(takenPort, offered[1]);
        Assert.Null(await host.Client.GetInstanceAsync("no-such-instance"));
    }

    [Fact]
    public async Task A_port_that_stays_taken_fails_after_the_last_attempt_with_the_bind_error()
    {
        using var taken = HoldPorts(FreePortTestHost.FreeLoopbackPort(), int.MaxValue, 1);
        var offered = 0;

        var error = await Assert.ThrowsAnyAsync<Exception>(() => FreePortTestHost.StartAsync(
            _ => { },
            port => new() { Port = port },
            CancellationToken.None,
            choosePort: () =>
            {
                offered++;
                return taken.Ports.Single();
            }));

        Assert.True(FreePortTestHost.IsAddressInUse(error), error.ToString());
        Assert.Equal(FreePortTestHost.MaxAttempts, offered);
    }

    private static HeldPorts HoldPorts(int from, int toExclusive, int count)
    {
        var held = new HeldPorts();
        for (var port = from; port < toExclusive && held.Count < count; port++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                socket.Listen(1);
                held.Add(socket, port);
            }
            catch (SocketException)
            {
                // Already in use by someone else: it is held either way.
                socket.Dispose();
            }
        }

        return held;
    }

    private sealed class HeldPorts : IDisposable
    {
        private readonly List<Socket> _sockets = [];

        public List<int> Ports { get; } = [];

        public int Count => Ports.Count;

        public void Add(Socket socket, int port)
        {
            _sockets.Add(socket);
            Ports.Add(port);
        }

        public void Dispose()
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
        }
    }
}
