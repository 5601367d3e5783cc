using System.Net;
using System.Net.Sockets;

namespace Warmup.Cli.Tests;

/// <summary>
/// The real binary against a server whose readiness route answers 404 (a wrong base URL or dialect): the wait ends at
/// once as misconfigured, exit 2, with the answer, instead of polling until --ready-timeout (300 s here, longer than
/// the binary may run in a test).
/// </summary>
public sealed class ReadinessAnswerTests
{
    [Fact]
    public async Task A_404_on_the_readiness_route_ends_the_wait_at_once_as_misconfigured()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        _ = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                try
                {
                    var context = await listener.GetContextAsync();
                    context.Response.StatusCode = 404;
                    context.Response.Close();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
            }
        });

        var result = await WarmupBinary.RunPipedAsync(
            null, "run", "--endpoint", $"http://127.0.0.1:{port}", "--model", "m", "--plan", "light", "--ready-timeout", "300");

        Assert.True(result.ExitCode == ExitCodes.BadInput, WarmupBinary.Describe(result));
        Assert.Contains("MISCONFIGURED", result.Output);
        Assert.Contains("404", result.Output);
        Assert.Contains("no warm-up traffic was sent", result.Output);
    }
}
